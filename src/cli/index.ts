/** The `perfgate` command's entry point (bundled into dist/cli). */
import { cli } from './cli';

process.exitCode = await cli(process.argv.slice(2));
