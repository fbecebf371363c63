/**
 * Features cut into at most 256 ordered bins, the way histogram tree
 * learners work: a split is "bin <= b", found by scanning per-bin sums
 * instead of sorting rows at every node.
 *
 * Edges are float32 and a row's bin is found from its float32 value, so
 * "bin <= b" holds exactly when float32(x) <= edges[b]: the threshold
 * written into the tree (and the ONNX graph) routes every row the way
 * training did. NaN and values above every edge fall in the last bin.
 */
import { bucketOf } from "../bucket.js";

/** Distinct values sampled per feature to place the edges. */
const EDGE_SAMPLE = 100_000;

export interface BinnedMatrix {
  readonly rows: number;
  /** Features per row. */
  readonly width: number;
  /**
   * rows × width bin numbers, row-major like the feature matrix: a node's
   * histograms for all its candidate features come from one pass over its
   * rows, each row's bins sharing a cache line (columns would cost one
   * cache miss per row per feature once a node's rows are scattered).
   */
  readonly codes: Uint8Array;
  /** Per feature, the ascending float32 upper edges of every bin but the last. */
  readonly edges: readonly Float32Array[];
}

/**
 * @param x rows × width values, row-major; each is binned as its float32
 *   rounding, taken as it is read (a float32 copy of the matrix would hold
 *   four times the memory of the bins)
 */
export function binMatrix(x: Float64Array | Float32Array, rows: number, width: number, maxBins: number): BinnedMatrix {
  if (!(maxBins >= 2 && maxBins <= 256)) throw new RangeError(`maxBins: expected 2..256, got ${maxBins}`);
  const codes = new Uint8Array(rows * width);
  const edges: Float32Array[] = [];
  const step = Math.max(1, Math.floor(rows / EDGE_SAMPLE));
  const sample = new Float32Array(Math.ceil(rows / step));
  for (let f = 0; f < width; f++) {
    let n = 0;
    for (let r = 0; r < rows; r += step) sample[n++] = x[r * width + f] as number;
    const e = edgesOf(sample.subarray(0, n).sort(), maxBins);
    for (let r = 0, at = f; r < rows; r++, at += width) codes[at] = bucketOf(e, Math.fround(x[at] as number));
    edges.push(e);
  }
  return { rows, width, codes, edges };
}

/** Quantile cut points between distinct sorted values, midpoints rounded to float32, strictly increasing. */
function edgesOf(sorted: Float32Array, maxBins: number): Float32Array {
  const out: number[] = [];
  const n = sorted.length;
  const push = (a: number, b: number): void => {
    if (!(a < b)) return;
    const mid = Math.fround(a + (b - a) / 2);
    if (out.length === 0 || mid > (out[out.length - 1] as number)) out.push(mid);
  };
  for (let q = 1; q < maxBins; q++) {
    let i = Math.floor((q * n) / maxBins);
    if (i <= 0 || i >= n) continue;
    // Move the cut to the next change of value, so a run of equal values stays in one bin.
    while (i < n && sorted[i] === sorted[i - 1]) i++;
    if (i >= n) break;
    push(sorted[i - 1] as number, sorted[i] as number);
  }
  return Float32Array.from(out.slice(0, maxBins - 1));
}
