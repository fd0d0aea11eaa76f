/**
 * The differential view of two sides' profiles: merge each side's runs, divide by what was done
 * (runs, or requests served), then compare function by function and call path by call path.
 * Pure.
 *
 * - A function is its name and file. Lines are not part of its identity, because an edit above
 *   a function moves it between base and head; when several functions of one file share a name
 *   (methods, anonymous functions) they are told apart by the order of their lines.
 * - Self cost: samples whose leaf is the function. Total cost: samples with the function anywhere
 *   in the stack, each stack counted once (recursion does not double count).
 * - Functions are ranked by the growth of their self cost: that is where the extra time is spent.
 *   The share of the regression a function explains is its self growth over the growth of all
 *   profiled cost (Brendan Gregg's differential flame graphs use the same attribution).
 * - The flame graph is the merged call tree of both sides: each node has both sides' totals.
 */
import type { FlameNode, FunctionCost, ProfileFrame, ProfileView, StackProfile } from './types';

export interface DiffOptions {
  kind: ProfileView['kind'];
  per: ProfileView['per'];
  /** Each side's summed cost is divided by this: its number of profiled runs, or of requests served. */
  divisor: { base: number; head: number };
  /** Longest ranked list kept (default 20). */
  top?: number;
  /** Most flame graph nodes kept (default 1500); the smallest go first. */
  maxNodes?: number;
  /** Flame graph nodes below this fraction of the larger side's total are dropped (default 0.002). */
  minFraction?: number;
}

type Side = 'base' | 'head';

/** Assigns every frame of both sides a function id that is stable across the two sides. */
function identify(sides: Record<Side, StackProfile[]>): {
  functions: ProfileFrame[];
  idOf: Record<Side, Map<StackProfile, number[]>>;
} {
  const nameFile = (f: ProfileFrame) => `${f.name}\u0000${f.file}`;
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

/** Builds the differential view of `base` against `head` (each a list of profiled runs of one kind). */
export function differential(base: StackProfile[], head: StackProfile[], options: DiffOptions): ProfileView {
  const unit = (base[0] ?? head[0])?.unit ?? (options.kind === 'heap' ? 'B' : 's');
  const { functions, idOf } = identify({ base, head });
  const self = { base: new Map<number, number>(), head: new Map<number, number>() };
  const total = { base: new Map<number, number>(), head: new Map<number, number>() };
  const sum = { base: 0, head: 0 };
  const nodes: FlameNode[] = [];
  const nodeIndex = new Map<string, number>();
  const add = (m: Map<number, number>, k: number, w: number) => m.set(k, (m.get(k) ?? 0) + w);

  for (const side of ['base', 'head'] as const) {
    const divisor = Math.max(options.divisor[side], 1e-300);
    for (const p of side === 'base' ? base : head) {
      const ids = idOf[side].get(p)!;
      for (const s of p.stacks) {
        const w = s.weight / divisor;
        if (!(w > 0) || s.frames.length === 0) continue;
        sum[side] += w;
        const fns = s.frames.map((f) => ids[f]);
        add(self[side], fns[fns.length - 1], w);
        for (const fn of new Set(fns)) add(total[side], fn, w);
        let parent = -1;
        for (const fn of fns) {
          const key = `${parent}>${fn}`;
          let n = nodeIndex.get(key);
          if (n === undefined) {
            n = nodes.length;
            nodes.push({ fn, parent, base: 0, head: 0 });
            nodeIndex.set(key, n);
          }
          nodes[n][side] += w;
          parent = n;
        }
      }
    }
  }

  const costs: FunctionCost[] = functions.map((_, fn) => ({
    fn,
    baseSelf: self.base.get(fn) ?? 0,
    headSelf: self.head.get(fn) ?? 0,
    baseTotal: total.base.get(fn) ?? 0,
    headTotal: total.head.get(fn) ?? 0,
  }));
  const growth = (c: FunctionCost) => c.headSelf - c.baseSelf;
  const top = costs
    .filter((c) => growth(c) > 0)
    .sort((a, b) => growth(b) - growth(a) || b.headTotal - b.baseTotal - (a.headTotal - a.baseTotal) || a.fn - b.fn)
    .slice(0, options.top ?? 20);

  const flame = pruneTree(nodes, functions, Math.max(sum.base, sum.head) * (options.minFraction ?? 0.002), options);

  // Keep only the functions the view refers to.
  const used = [...new Set([...top.map((c) => c.fn), ...flame.map((n) => n.fn)])].sort((a, b) => a - b);
  const remap = new Map(used.map((fn, i) => [fn, i]));
  return {
    kind: options.kind,
    unit,
    per: options.per,
    functions: used.map((fn) => shortened(functions[fn])),
    top: top.map((c) => ({ ...c, fn: remap.get(c.fn)! })),
    baseTotal: sum.base,
    headTotal: sum.head,
    flame: flame.map((n) => ({ ...n, fn: remap.get(n.fn)! })),
  };
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
  return { name: cut(f.name, MAX_NAME), file: cut(f.file, MAX_FILE), line: f.line };
}

/** The share of the growth of all profiled cost that a function's self growth explains; null when nothing grew. */
export function shareOfGrowth(view: ProfileView, cost: FunctionCost): number | null {
  const grew = view.headTotal - view.baseTotal;
  return grew > 0 ? (cost.headSelf - cost.baseSelf) / grew : null;
}
