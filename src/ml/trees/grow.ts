/**
 * Grows one regression/classification tree over binned features, depth
 * first, choosing at each node the split with the largest gain among a
 * random subset of features. What the tree fits is given by a criterion
 * over per-row "channels" (channel 0 is the row's weight, counted for the
 * minimum leaf size): random forests use class counts or targets, gradient
 * boosting uses gradients and hessians.
 */
import type { SeededRandom } from "../../runtime/index.js";
import type { Tree } from "../model.js";
import type { BinnedMatrix } from "./bins.js";

export interface Criterion {
  /** Numbers per row in `stats`, channel 0 the row weight. */
  readonly channels: number;
  /** Values per leaf. */
  readonly width: number;
  /** Purity of a node from its channel sums at `at`: a split's gain is left + right − parent. */
  score(sums: Float64Array, at: number): number;
  /** The leaf's values from its channel sums, written to out[0..width). */
  leaf(sums: Float64Array, at: number, out: Float64Array): void;
}

export interface GrowOptions {
  readonly maxDepth: number;
  /** Minimum summed weight (rows) on each side of a split. */
  readonly minLeaf: number;
  /** Features tried at each split. */
  readonly featuresPerSplit: number;
  /** Which output the leaves add to (see Tree.target). */
  readonly target: number;
}

/** A grown tree and, per node, the bin its split is at (for fast routing of binned rows during boosting). */
export interface GrownTree {
  readonly tree: Tree;
  readonly splitBin: Int32Array;
}

/** Smallest gain worth a split: below it the difference is rounding. */
const MIN_GAIN = 1e-9;

/**
 * @param stats rows × channels values, per row of the binned matrix
 * @param indices the rows this tree learns from (may repeat, for bootstraps), best in ascending order; reordered in place
 */
export function growTree(bins: BinnedMatrix, stats: Float64Array, indices: Uint32Array, criterion: Criterion, options: GrowOptions, rng: SeededRandom): GrownTree {
  const C = criterion.channels;
  const width = bins.width;
  const codes = bins.codes;
  const binsOf = Int32Array.from(bins.edges, (e) => e.length + 1);
  const stride = Math.max(...binsOf) * C;
  const tries = Math.max(1, Math.min(width, options.featuresPerSplit));
  // One histogram per candidate feature, side by side.
  const hist = new Float64Array(tries * stride);
  const candidates = new Int32Array(tries);
  const leftSum = new Float64Array(C);
  const rightSum = new Float64Array(C);
  const bestLeft = new Float64Array(C);
  const leafOut = new Float64Array(criterion.width);
  const order = Int32Array.from({ length: width }, (_, i) => i);
  const scratch = new Uint32Array(indices.length);

  const feature: number[] = [];
  const threshold: number[] = [];
  const splitBin: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];

  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    splitBin.push(-1);
    left.push(-1);
    right.push(-1);
    for (let j = 0; j < criterion.width; j++) value.push(0);
    return feature.length - 1;
  };

  const makeLeaf = (node: number, sums: Float64Array): void => {
    criterion.leaf(sums, 0, leafOut);
    for (let j = 0; j < criterion.width; j++) value[node * criterion.width + j] = leafOut[j] as number;
  };

  /**
   * Adds the node's rows to the histograms of its k candidate features in
   * one pass: each row's stats are read once, and its bins from one stretch
   * of the row-major codes. Every bin still sums its rows in index order, so
   * the sums (and the tree) are what one pass per feature gave.
   */
  const fillHistograms = (start: number, end: number, k: number): void => {
    hist.fill(0, 0, k * stride);
    if (C === 3) {
      // Gradient boosting and binary Gini: the common case, unrolled.
      for (let i = start; i < end; i++) {
        const r = indices[i] as number;
        const s = r * 3;
        const w = stats[s] as number;
        const g = stats[s + 1] as number;
        const h = stats[s + 2] as number;
        const base = r * width;
        for (let j = 0, o = 0; j < k; j++, o += stride) {
          const b = o + (codes[base + (candidates[j] as number)] as number) * 3;
          hist[b]! += w;
          hist[b + 1]! += g;
          hist[b + 2]! += h;
        }
      }
      return;
    }
    for (let i = start; i < end; i++) {
      const r = indices[i] as number;
      const s = r * C;
      const base = r * width;
      for (let j = 0, o = 0; j < k; j++, o += stride) {
        const b = o + (codes[base + (candidates[j] as number)] as number) * C;
        for (let c = 0; c < C; c++) hist[b + c]! += stats[s + c] as number;
      }
    }
  };

  const build = (start: number, end: number, depth: number, sums: Float64Array): number => {
    const node = newNode();
    if (depth >= options.maxDepth || (sums[0] as number) < 2 * options.minLeaf) {
      makeLeaf(node, sums);
      return node;
    }
    const parentScore = criterion.score(sums, 0);
    // A partial Fisher-Yates shuffle picks this node's candidate features
    // (a feature with a single bin cannot split and is passed over).
    let k = 0;
    for (let t = 0; t < tries; t++) {
      const swap = t + rng.int(width - t);
      const f = order[swap] as number;
      order[swap] = order[t] as number;
      order[t] = f;
      if ((binsOf[f] as number) >= 2) candidates[k++] = f;
    }
    fillHistograms(start, end, k);
    let bestGain = MIN_GAIN;
    let bestFeature = -1;
    let bestBin = -1;
    for (let j = 0; j < k; j++) {
      const f = candidates[j] as number;
      const nb = binsOf[f] as number;
      const o = j * stride;
      leftSum.fill(0);
      for (let b = 0; b < nb - 1; b++) {
        for (let c = 0; c < C; c++) {
          leftSum[c]! += hist[o + b * C + c] as number;
          rightSum[c] = (sums[c] as number) - (leftSum[c] as number);
        }
        if ((leftSum[0] as number) < options.minLeaf) continue;
        if ((rightSum[0] as number) < options.minLeaf) break;
        const gain = criterion.score(leftSum, 0) + criterion.score(rightSum, 0) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
          bestLeft.set(leftSum);
        }
      }
    }
    if (bestFeature < 0) {
      makeLeaf(node, sums);
      return node;
    }
    // Stable partition (bin <= bestBin to the front): rows stay in ascending
    // order on both sides, so the histogram loops read the codes and stats
    // nearly sequentially instead of at random.
    let i = start;
    let spilled = 0;
    for (let k2 = start; k2 < end; k2++) {
      const r = indices[k2] as number;
      if ((codes[r * width + bestFeature] as number) <= bestBin) indices[i++] = r;
      else scratch[spilled++] = r;
    }
    indices.set(scratch.subarray(0, spilled), i);
    const leftSums = Float64Array.from(bestLeft);
    const rightSums = sums.map((s, c) => s - (leftSums[c] as number));
    feature[node] = bestFeature;
    threshold[node] = (bins.edges[bestFeature] as Float32Array)[bestBin] as number;
    splitBin[node] = bestBin;
    left[node] = build(start, i, depth + 1, leftSums);
    right[node] = build(i, end, depth + 1, rightSums);
    return node;
  };

  const rootSums = new Float64Array(C);
  for (let i = 0; i < indices.length; i++) {
    const s = (indices[i] as number) * C;
    for (let c = 0; c < C; c++) rootSums[c]! += stats[s + c] as number;
  }
  build(0, indices.length, 0, rootSums);
  return {
    tree: {
      feature: Int32Array.from(feature),
      threshold: Float32Array.from(threshold),
      left: Int32Array.from(left),
      right: Int32Array.from(right),
      value: Float64Array.from(value),
      width: criterion.width,
      target: options.target,
    },
    splitBin: Int32Array.from(splitBin),
  };
}

/** The leaf a row of the binned matrix reaches (boosting updates its training predictions this way). */
export function binnedLeaf(grown: GrownTree, bins: BinnedMatrix, row: number): number {
  const { feature, left, right } = grown.tree;
  const base = row * bins.width;
  let node = 0;
  for (let f = feature[0] as number; f >= 0; f = feature[node] as number) {
    node = (bins.codes[base + f] as number) <= (grown.splitBin[node] as number) ? (left[node] as number) : (right[node] as number);
  }
  return node;
}
