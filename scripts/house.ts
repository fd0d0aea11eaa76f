/**
 * The house drawn from the code (`npm run house`): the functions in src/ longer than the limit,
 * and the import cycles between src/ modules (type imports included). Parsed with the TypeScript
 * compiler, no type checking; `__tests__/house/house.test.ts` holds the limits.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The longest a function may be, in lines from its first to its last (nested functions included). */
export const FUNCTION_LIMIT = 80;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** How a function is called in the report: its own name, or that of what it is assigned to. */
function nameOf(node: ts.SignatureDeclaration, sf: ts.SourceFile): string {
  const own = node.name?.getText(sf);
  if (own) return own;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(sf);
  return '(anonymous)';
}

export interface LongFunction {
  /** `src/…/file.ts:name` */
  id: string;
  lines: number;
}

/** Functions (declarations, methods, arrows, expressions) in src/ longer than `limit` lines, longest first. */
export function longFunctions(limit = FUNCTION_LIMIT, root = ROOT): LongFunction[] {
  const found: LongFunction[] = [];
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const sf = parse(file);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const lines = last - first + 1;
        if (lines > limit) found.push({ id: `${path.relative(root, file)}:${nameOf(node, sf)}`, lines });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

/** The src/ modules each module imports (relative imports and re-exports, `import type` included). */
export function importGraph(root = ROOT): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const deps: string[] = [];
    for (const s of parse(file).statements) {
      if (!(ts.isImportDeclaration(s) || ts.isExportDeclaration(s))) continue;
      const spec = s.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), spec.text);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (target) deps.push(path.relative(root, target));
    }
    graph.set(path.relative(root, file), deps);
  }
  return graph;
}

/** The packages src/ imports (type imports included), by name: `@scope/name` or `name`; Node's built-ins left out. */
export function importedPackages(root = ROOT): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    for (const s of parse(file).statements) {
      if (!(ts.isImportDeclaration(s) || ts.isExportDeclaration(s))) continue;
      const spec = s.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || spec.text.startsWith('.') || spec.text.startsWith('node:')) continue;
      const parts = spec.text.split('/');
      names.add(spec.text.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return names;
}

/** Sets of modules that import each other, directly or around a loop (Tarjan's strongly connected components). */
export function importCycles(graph = importGraph()): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return cycles;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const long = longFunctions();
  console.log(`functions in src/ over ${FUNCTION_LIMIT} lines: ${long.length}`);
  for (const f of long) console.log(`  ${String(f.lines).padStart(4)}  ${f.id}`);
  const cycles = importCycles();
  console.log(`import cycles in src/: ${cycles.length}`);
  for (const c of cycles) console.log(`  ${c.join(' → ')}`);
}
