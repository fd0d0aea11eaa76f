/**
 * The action's entry point: read the inputs into `Settings`, build the world `run` acts on
 * from the runner's environment, run, and turn the verdict into the step's result.
 */
import os from 'node:os';
import * as core from '@actions/core';
import { createGitHubPort } from './adapters/github';
import { loadResults } from './adapters/results-file';
import { contextFromEnv } from './app/context';
import { type RunIO, run } from './app/run';
import { fails } from './core/report';
import { INPUT_NAMES, type InputName, parseSettings, SettingsError } from './settings/settings';

/** `with:` keys the runner passed that this action does not know (typos are otherwise silent). */
function unknownInputs(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(INPUT_NAMES.map((n) => `INPUT_${n.replace(/ /g, '_').toUpperCase()}`));
  return Object.keys(env)
    .filter((k) => k.startsWith('INPUT_') && !known.has(k))
    .map((k) => k.slice(6).toLowerCase());
}

export async function main(): Promise<void> {
  const env = process.env;
  try {
    for (const name of unknownInputs(env))
      core.warning(`Unknown input "${name}" is ignored. Known inputs: ${INPUT_NAMES.join(', ')}.`);
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const settings = parseSettings((name: InputName) => core.getInput(name), workspace);
    const context = contextFromEnv(env);
    const [owner, repo] = (context.repository ?? '/').split('/');
    const io: RunIO = {
      workspace,
      tempDir: env.RUNNER_TEMP || os.tmpdir(),
      context,
      log: {
        info: (m) => core.info(m),
        warning: (m) => core.warning(m),
        error: (m) => core.error(m),
        group: (name, fn) => core.group(name, fn),
      },
      setOutput: (name, value) => core.setOutput(name, value),
      writeSummary: (markdown) => {
        core.summary
          .addRaw(markdown)
          .write()
          .catch((e: Error) => core.warning(`Could not write the job summary: ${e.message}`));
      },
      github:
        settings.token && owner && repo
          ? createGitHubPort({
              token: settings.token,
              apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
              owner,
              repo,
            })
          : null,
      seed: Number(env.PERFGATE_SEED) || Math.floor(Math.random() * 2 ** 31),
    };
    const result = await run(settings, io, { reports: () => loadResults(settings.resultsDir ?? '.', workspace) });
    if (result.verdict === 'error') {
      core.setFailed(`perfgate could not compare: ${result.report.errors[0] ?? 'no metric was measured'}`);
    } else if (result.verdict === 'fail') {
      const failing = result.report.results.filter(fails).map((r) => r.id);
      const message = `perfgate: regression beyond budget in ${failing.join(', ')}`;
      if (settings.failOnRegression) core.setFailed(message);
      else core.warning(`${message} (fail-on-regression is false)`);
    }
  } catch (error) {
    if (error instanceof SettingsError) {
      for (const issue of error.issues.slice(0, 10))
        core.error(`${issue.where}: ${issue.message}`, { title: 'perfgate configuration' });
      core.setOutput('verdict', 'error');
      core.setFailed(error.message);
      return;
    }
    core.setOutput('verdict', 'error');
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

await main();
