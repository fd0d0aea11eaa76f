/**
 * The differential view of two sides' profiles: merge each side's runs, normalize them so the sides
 * compare (per run, per request or operation, or as each function's share of its side's profile),
 * then compare function by function and call path by call path. Pure.
 *
 * - A function is its name, package and file. Lines are not part of its identity, because an edit
 *   above a function moves it between base and head; when several functions of one file share a
 *   name (methods, anonymous functions) they are told apart by the order of their lines. A
 *   dependency's version is not part of it either (an upgrade keeps its functions).
 * - Self cost: samples whose leaf is the function. Total cost: samples with the function anywhere
 *   in the stack, each stack counted once (recursion does not double count).
 * - Functions are ranked by the growth of their self cost: that is where the extra time is spent.
 *   A function counts as grown only when its cost grew by more than a sliver of the total and its
 *   share of the profile grew in every run (each head run's share above each base run's, with two
 *   or more runs a side: shares are immune to a machine that is slower during some runs; with
 *   `share`, its time per run too, since a harness's bookkeeping lifts every unchanged share; per
 *   run, its time grew in every run and its mean share rose), so
 *   run-to-run noise and unchanged functions are not presented as growth; pseudo-frames that are not code (`(idle)`,
 *   `(program)`, `(root)`) are never ranked. The share of the growth a function explains is its
 *   growth over the growth of all ranked functions, so the shares add up to 100 % (Brendan Gregg's
 *   differential flame graphs attribute growth to self cost the same way).
 * - The flame graph is the merged call tree of both sides: each node has both sides' totals. A frame
 *   that appears on one side only (a caller that was inlined on the other side, a wrapper added)
 *   is drawn only where it is a leaf: paths through it are aligned with the other side's, so an
 *   unchanged callee never reads "base 0".
 */
import type { FlameNode, FunctionCost, ProfileFrame, ProfileView, StackProfile } from './types';

/** Per run: the rise of a function's mean share of the profile below which its growth is the machine's. */
const SHARE_MARGIN = 0.005;

export interface DiffOptions {
  kind: ProfileView['kind'];
  per: ProfileView['per'];
  /**
   * Each side's summed cost is divided by this: its number of profiled runs, of requests served or of
   * operations done. Ignored with `share` (each run is divided by its own total).
   */
  divisor: { base: number; head: number };
  /** The profiled run each profile came from, per side (one run may leave a profile per process); default: one run each. */
  runOf?: { base: readonly number[]; head: readonly number[] };
  /** Longest ranked list kept (default 20). */
  top?: number;
  /** Most flame graph nodes kept (default 1500); the smallest go first. */
  maxNodes?: number;
  /** Flame graph nodes below this fraction of the larger side's total are dropped (default 0.002). */
  minFraction?: number;
  /** Smallest self growth ranked, as a fraction of the larger side's total (default 0.003). */
  minGrowth?: number;
}

type Side = 'base' | 'head';
const SIDES = ['base', 'head'] as const;

/** V8's pseudo-frames that are not code: never ranked as a function whose cost grew. */
const NOT_CODE = new Set(['(idle)', '(program)', '(root)']);

/** A package name without its version: `tinybench@6.2.5` → `tinybench`, `@scope/x@1.0.0` → `@scope/x`. */
function packageName(pkg: string | undefined): string {
  if (!pkg) return '';
  const at = pkg.lastIndexOf('@');
  return at > 0 ? pkg.slice(0, at) : pkg;
}

/** Assigns every frame of both sides a function id that is stable across the two sides. */
function identify(sides: Record<Side, readonly StackProfile[]>): {
  functions: ProfileFrame[];
  idOf: Record<Side, Map<StackProfile, number[]>>;
} {
  const nameFile = (f: ProfileFrame) => `${f.name}\u0000${packageName(f.package)}\u0000${f.file}`;
  const rankKey = (side: Side) => {
    const lines = new Map<string, Set<number | null>>();
    for (const p of sides[side])
      for (const f of p.frames) {
        const set = lines.get(nameFile(f)) ?? new Set();
        set.add(f.line);
        lines.set(nameFile(f), set);
      }
    const ranks = new Map<string, Map<number | null, number>>();
    for (const [k, set] of lines) {
      const sorted = [...set].sort((a, b) => (a ?? -1) - (b ?? -1));
      ranks.set(k, new Map(sorted.map((l, i) => [l, i])));
    }
    return (f: ProfileFrame) => `${nameFile(f)}\u0000${ranks.get(nameFile(f))?.get(f.line) ?? 0}`;
  };
  const functions: ProfileFrame[] = [];
  const index = new Map<string, number>();
  const idOf = { base: new Map(), head: new Map() } as Record<Side, Map<StackProfile, number[]>>;
  // Head first, so a function present on both sides is shown with head's line.
  for (const side of ['head', 'base'] as const) {
    const key = rankKey(side);
    for (const p of sides[side]) {
      idOf[side].set(
        p,
        p.frames.map((f) => {
          const k = key(f);
          let i = index.get(k);
          if (i === undefined) {
            i = functions.length;
            functions.push(f);
            index.set(k, i);
          }
          return i;
        }),
      );
    }
  }
  return { functions, idOf };
}

/** Builds the differential view of `base` against `head` (each a list of profiles of one kind). */
export function differential(base: StackProfile[], head: StackProfile[], options: DiffOptions): ProfileView {
  const unit = (base[0] ?? head[0])?.unit ?? (options.kind === 'heap' ? 'B' : 's');
  const profiles = { base, head };
  const { functions, idOf } = identify(profiles);
  const runOf = (side: Side, i: number) => options.runOf?.[side][i] ?? i;
  const sides: Sides = {
    profiles,
    idOf,
    runOf,
    runs: {
      base: Math.max(0, ...base.map((_, i) => runOf('base', i) + 1)),
      head: Math.max(0, ...head.map((_, i) => runOf('head', i) + 1)),
    },
  };
  const raw = rawCosts(sides);
  const merged = mergeSides(sides, raw, options);
  const grown = rankGrowth(functions, merged, growthRule(raw, sides.runs, options.per), options);
  const top = grown.slice(0, options.top ?? 20);
  const flame = pruneTree(
    merged.nodes,
    functions,
    Math.max(merged.sum.base, merged.sum.head) * (options.minFraction ?? 0.002),
    options,
  );

  // Keep only the functions the view refers to.
  const used = [...new Set([...top.map((c) => c.fn), ...flame.map((n) => n.fn)])].sort((a, b) => a - b);
  const remap = new Map(used.map((fn, i) => [fn, i]));
  return {
    kind: options.kind,
    unit,
    per: options.per,
    functions: used.map((fn) => shortened(functions[fn])),
    top: top.map((c) => ({ ...c, fn: remap.get(c.fn)! })),
    grown: grown.reduce((a, c) => a + growth(c), 0),
    baseTotal: merged.sum.base,
    headTotal: merged.sum.head,
    ...(options.per === 'share' ? { perRun: { base: mean(raw.total.base), head: mean(raw.total.head) } } : {}),
    flame: flame.map((n) => ({ ...n, fn: remap.get(n.fn)! })),
  };
}

/** Both sides' profiles, their function ids, and the profiled run each profile came from. */
interface Sides {
  profiles: Record<Side, readonly StackProfile[]>;
  idOf: Record<Side, Map<StackProfile, number[]>>;
  runOf: (side: Side, i: number) => number;
  /** Profiled runs per side. */
  runs: Record<Side, number>;
}

/** Raw cost per run: self per function, and the run's total; and the functions each side shows. */
interface RawCosts {
  self: Record<Side, Map<number, number>[]>;
  total: Record<Side, number[]>;
  present: Record<Side, Set<number>>;
}

/** Both sides' normalized costs: self and total per function, each side's sum, and the merged call tree. */
interface Merged {
  self: Record<Side, Map<number, number>>;
  total: Record<Side, Map<number, number>>;
  sum: Record<Side, number>;
  nodes: FlameNode[];
}

const add = (m: Map<number, number>, k: number, w: number) => m.set(k, (m.get(k) ?? 0) + w);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : 0);
const growth = (c: FunctionCost) => c.headSelf - c.baseSelf;

function rawCosts({ profiles, idOf, runOf, runs }: Sides): RawCosts {
  const raw: RawCosts = {
    self: { base: [], head: [] },
    total: { base: [], head: [] },
    present: { base: new Set<number>(), head: new Set<number>() },
  };
  for (const side of SIDES) {
    for (let r = 0; r < runs[side]; r++) {
      raw.self[side].push(new Map());
      raw.total[side].push(0);
    }
    profiles[side].forEach((p, i) => {
      const ids = idOf[side].get(p)!;
      const r = runOf(side, i);
      for (const s of p.stacks) {
        if (!(s.weight > 0) || s.frames.length === 0) continue;
        raw.total[side][r] += s.weight;
        add(raw.self[side][r], ids[s.frames[s.frames.length - 1]], s.weight);
        for (const f of s.frames) raw.present[side].add(ids[f]);
      }
    });
  }
  return raw;
}

/** Normalizes each side's costs and merges both sides' stacks into one call tree. */
function mergeSides(sides: Sides, raw: RawCosts, options: DiffOptions): Merged {
  const { profiles, idOf, runOf, runs } = sides;
  // What each run's raw cost is multiplied by: 1/(its total) for shares (each run weighs alike),
  // else 1/divisor for the side's sum.
  const factor = (side: Side, r: number) =>
    options.per === 'share'
      ? raw.total[side][r] > 0
        ? 1 / raw.total[side][r] / runs[side]
        : 0
      : 1 / Math.max(options.divisor[side], 1e-300);
  const merged: Merged = {
    self: { base: new Map<number, number>(), head: new Map<number, number>() },
    total: { base: new Map<number, number>(), head: new Map<number, number>() },
    sum: { base: 0, head: 0 },
    nodes: [],
  };
  const nodeIndex = new Map<string, number>();
  for (const side of SIDES) {
    const other = side === 'base' ? 'head' : 'base';
    profiles[side].forEach((p, i) => {
      const ids = idOf[side].get(p)!;
      const k = factor(side, runOf(side, i));
      for (const s of p.stacks) {
        const w = s.weight * k;
        if (!(w > 0) || s.frames.length === 0) continue;
        merged.sum[side] += w;
        const fns = s.frames.map((f) => ids[f]);
        add(merged.self[side], fns[fns.length - 1], w);
        for (const fn of new Set(fns)) add(merged.total[side], fn, w);
        addPath(merged.nodes, nodeIndex, fns, side, w, raw.present[other]);
      }
    });
  }
  return merged;
}

/** Adds one stack's cost `w` on `side` to the call tree, along the path of its functions `fns`. */
function addPath(
  nodes: FlameNode[],
  nodeIndex: Map<string, number>,
  fns: number[],
  side: Side,
  w: number,
  presentOnOther: Set<number>,
): void {
  let parent = -1;
  fns.forEach((fn, depth) => {
    // A frame the other side never shows is drawn only as a leaf: its callees align.
    if (depth < fns.length - 1 && !presentOnOther.has(fn)) return;
    const key = `${parent}>${fn}`;
    let n = nodeIndex.get(key);
    if (n === undefined) {
      n = nodes.length;
      nodes.push({ fn, parent, base: 0, head: 0 });
      nodeIndex.set(key, n);
    }
    nodes[n][side] += w;
    parent = n;
  });
}

/** Whether a function's growth is more than run-to-run noise: it grew in every run (see the module's doc). */
function growthRule(raw: RawCosts, runs: Record<Side, number>, per: DiffOptions['per']): (fn: number) => boolean {
  // Whether a function grew in every run is judged on its share of each run's profile: a machine
  // that is slower during one run (load, frequency) scales every function of that run alike, which
  // would make unchanged functions look grown (or hide a real growth) on absolute costs.
  const shareInRun = (side: Side, fn: number) =>
    raw.self[side].map((m, r) => (raw.total[side][r] > 0 ? (m.get(fn) ?? 0) / raw.total[side][r] : 0));
  // With shares (a fixed-time harness), the time itself is fixed by the harness, not scaled by the
  // machine: a function must also have grown in time in every run. A harness's bookkeeping that
  // scales with the operations done (sorting its samples) shrinks on the slower side, which lifts
  // every unchanged function's share a little; their time per run does not grow.
  const timeInRun = (side: Side, fn: number) => raw.self[side].map((m) => m.get(fn) ?? 0);
  // Per run (a command), where one function often does nearly all the work: its share can hardly
  // grow, and start-up noise in one run (compiling, loading) dents it. There the time itself must
  // grow in every run, and the share must rise on average by more than SHARE_MARGIN (a machine slower
  // during the head's runs lifts every function's time, not its share).
  return (fn) => {
    if (runs.base < 2 || runs.head < 2) return true;
    const time = Math.min(...timeInRun('head', fn)) > Math.max(...timeInRun('base', fn));
    if (per === 'run') return time && mean(shareInRun('head', fn)) > mean(shareInRun('base', fn)) + SHARE_MARGIN;
    const shares = Math.min(...shareInRun('head', fn)) > Math.max(...shareInRun('base', fn));
    return shares && (per !== 'share' || time);
  };
}

/** The functions whose self cost grew by more than a sliver of the total and in every run, most grown first. */
function rankGrowth(
  functions: ProfileFrame[],
  merged: Merged,
  grewEveryRun: (fn: number) => boolean,
  options: DiffOptions,
): FunctionCost[] {
  const costs: FunctionCost[] = functions.map((_, fn) => ({
    fn,
    baseSelf: merged.self.base.get(fn) ?? 0,
    headSelf: merged.self.head.get(fn) ?? 0,
    baseTotal: merged.total.base.get(fn) ?? 0,
    headTotal: merged.total.head.get(fn) ?? 0,
  }));
  const floor = Math.max(merged.sum.base, merged.sum.head) * (options.minGrowth ?? 0.003);
  const notCode = (fn: number) => functions[fn].file === '' && NOT_CODE.has(functions[fn].name);
  return costs
    .filter((c) => growth(c) > floor && !notCode(c.fn) && grewEveryRun(c.fn))
    .sort((a, b) => growth(b) - growth(a) || b.headTotal - b.baseTotal - (a.headTotal - a.baseTotal) || a.fn - b.fn);
}

/**
 * Drops slivers (and, past `maxNodes`, the smallest nodes) and returns the tree in depth-first
 * order, siblings by function name, with `parent` pointing into the returned list.
 */
function pruneTree(
  nodes: FlameNode[],
  functions: ProfileFrame[],
  threshold: number,
  options: DiffOptions,
): FlameNode[] {
  const size = (n: FlameNode) => Math.max(n.base, n.head);
  // A child never outweighs its parent, so the threshold keeps every kept node's ancestors.
  let kept = nodes.map((_, i) => i).filter((i) => size(nodes[i]) >= threshold && size(nodes[i]) > 0);
  const max = options.maxNodes ?? 1500;
  if (kept.length > max) {
    // Nodes are created parents first, so one pass gives every depth.
    const depth = new Array<number>(nodes.length).fill(0);
    nodes.forEach((n, i) => {
      if (n.parent >= 0) depth[i] = depth[n.parent] + 1;
    });
    kept = kept.sort((a, b) => size(nodes[b]) - size(nodes[a]) || depth[a] - depth[b]).slice(0, max);
  }
  const keep = new Set(kept);
  const children = new Map<number, number[]>();
  for (const i of keep) {
    const p = nodes[i].parent;
    if (p >= 0 && !keep.has(p)) continue;
    const list = children.get(p) ?? [];
    list.push(i);
    children.set(p, list);
  }
  const byName = (a: number, b: number) =>
    functions[nodes[a].fn].name.localeCompare(functions[nodes[b].fn].name) || a - b;
  const out: FlameNode[] = [];
  // Iterative depth-first walk: deep recursion in a profile must not overflow our own stack.
  const todo: [number, number][] = (children.get(-1) ?? [])
    .sort(byName)
    .reverse()
    .map((i) => [i, -1]);
  while (todo.length > 0) {
    const [i, parent] = todo.pop()!;
    const at = out.length;
    out.push({ ...nodes[i], parent });
    const kids = (children.get(i) ?? []).sort(byName);
    for (let k = kids.length - 1; k >= 0; k--) todo.push([kids[k], at]);
  }
  return out;
}

/** Longest function name and file name kept in a report (C++ template names run to kilobytes). */
export const MAX_NAME = 400;
export const MAX_FILE = 800;

function shortened(f: ProfileFrame): ProfileFrame {
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const out: ProfileFrame = { name: cut(f.name, MAX_NAME), file: cut(f.file, MAX_FILE), line: f.line };
  if (f.package) out.package = cut(f.package, MAX_NAME);
  return out;
}

/**
 * The share of the growth that a function's self growth explains: of the growth of every ranked
 * function (`grown`), so the shares add up to 100 %; null when nothing grew. Results written before
 * `grown` existed divide by the growth of all profiled cost.
 */
export function shareOfGrowth(view: ProfileView, cost: FunctionCost): number | null {
  const grew = view.grown ?? view.headTotal - view.baseTotal;
  return grew > 0 ? (cost.headSelf - cost.baseSelf) / grew : null;
}

/**
 * Splits a file path into the dependency it belongs to and the path inside it, when it lies in one:
 * `node_modules/tinybench/dist/index.js` → `tinybench`, `dist/index.js` (the last `node_modules`
 * wins, so pnpm's layout works); Go's module cache `…/pkg/mod/github.com/x/y@v1.2.3/z.go` →
 * `github.com/x/y@v1.2.3`, `z.go`. Null for anything else (the project's own code).
 */
export function dependencyOf(file: string): { package: string; file: string } | null {
  const parts = file.split('/');
  const nm = parts.lastIndexOf('node_modules');
  if (nm >= 0 && nm + 1 < parts.length - 1) {
    const scoped = parts[nm + 1].startsWith('@');
    const end = nm + (scoped ? 3 : 2);
    if (end < parts.length) return { package: parts.slice(nm + 1, end).join('/'), file: parts.slice(end).join('/') };
  }
  const mod = file.indexOf('/pkg/mod/');
  if (mod >= 0) {
    const rest = parts.slice(file.slice(0, mod + '/pkg/mod/'.length).split('/').length - 1);
    const v = rest.findIndex((p) => /@v\d/.test(p));
    if (v >= 0 && v < rest.length - 1)
      return { package: rest.slice(0, v + 1).join('/'), file: rest.slice(v + 1).join('/') };
  }
  return null;
}
