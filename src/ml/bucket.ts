/** Which bucket a value falls in, given ascending upper edges: shared by the trees' feature bins and the drift check's deciles. */

/** The first i with v <= edges[i]; edges.length when v is above every edge (or NaN). */
export function bucketOf(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
