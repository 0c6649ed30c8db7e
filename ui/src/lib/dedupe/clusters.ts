/** Groups of leads joined by pairs, as the bulk merge forms them (union-find). */

import type { CandidatePair } from '../ipc';

/** How many groups the pairs at or above `threshold` form, and how many leads a bulk merge
 * would merge away (every member but the one kept in each group). */
export function clusterCount(pairs: readonly CandidatePair[], threshold: number): { clusters: number; leads: number } {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  for (const p of pairs) {
    if (p.confidence < threshold) continue;
    if (!parent.has(p.a)) parent.set(p.a, p.a);
    if (!parent.has(p.b)) parent.set(p.b, p.b);
    const ra = find(p.a);
    const rb = find(p.b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const roots = new Set([...parent.keys()].map(find));
  return { clusters: roots.size, leads: parent.size - roots.size };
}
