/**
 * Population stability index per feature: how far the distribution of
 * recent values has moved from the training data's. Bins are the training
 * data's deciles; PSI = Σ (a − e)·ln(a / e) over the bins' shares.
 * Rule of thumb: below 0.1 stable, 0.1–0.25 some shift, above 0.25 drifted.
 */
import { bucketOf } from "../bucket.js";

export const PSI_BINS = 10;
/** Share given to an empty bin, so the logarithm stays finite. */
const EMPTY_SHARE = 1e-4;

/**
 * The training side of a drift check: per feature, the inner bin edges and
 * each bin's share. Compact enough to travel in a version's manifest (a
 * baseline's training rows are in no node's history): edges to 6
 * significant digits, shares to 6 decimals — the shares are counted against
 * the rounded edges, so the two agree.
 */
export interface DriftReference {
  readonly features: readonly string[];
  readonly edges: readonly number[][];
  readonly shares: readonly number[][];
}

/** Builds the reference from training rows (row-major, features.length wide). */
export function driftReference(features: readonly string[], x: ArrayLike<number>, rows: number): DriftReference {
  const d = features.length;
  const edges: number[][] = [];
  const shares: number[][] = [];
  const column = new Float64Array(rows);
  for (let f = 0; f < d; f++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * d + f] as number;
    column.sort();
    const e: number[] = [];
    for (let q = 1; q < PSI_BINS; q++) {
      const v = Number((column[Math.floor((q * rows) / PSI_BINS)] as number).toPrecision(6));
      if (e.length === 0 || v > (e[e.length - 1] as number)) e.push(v);
    }
    edges.push(e);
    shares.push(binShares(e, column, 0, 1, rows).map((share) => Math.round(share * 1e6) / 1e6));
  }
  return { features: [...features], edges, shares };
}

/** PSI of each feature of `x` (rows × features, same columns as the reference). */
export function psi(reference: DriftReference, x: ArrayLike<number>, rows: number): Record<string, number> {
  const d = reference.features.length;
  const out: Record<string, number> = {};
  reference.features.forEach((name, f) => {
    const expected = reference.shares[f] as number[];
    const actual = binShares(reference.edges[f] as number[], x, f, d, rows);
    let sum = 0;
    for (let b = 0; b < expected.length; b++) {
      const a = Math.max(actual[b] as number, EMPTY_SHARE);
      const e = Math.max(expected[b] as number, EMPTY_SHARE);
      sum += (a - e) * Math.log(a / e);
    }
    out[name] = sum;
  });
  return out;
}

/** Shares of values in each bin: bin b holds edges[b−1] < v <= edges[b]. */
function binShares(edges: readonly number[], x: ArrayLike<number>, offset: number, stride: number, rows: number): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let r = 0; r < rows; r++) {
    counts[bucketOf(edges, x[r * stride + offset] as number)]! += 1;
  }
  return counts.map((c) => (rows === 0 ? 0 : c / rows));
}
