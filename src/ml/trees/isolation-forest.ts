/**
 * Isolation forest (Liu, Ting & Zhou 2008): trees of random splits on small
 * subsamples; anomalies are isolated in fewer splits. A row's score is
 * 2^(−E[h(x)] / c(ψ)), where h is its path length in a tree (plus c(size)
 * for the rows left unsplit in its leaf) and c(ψ) the mean path length of
 * an unsuccessful binary-search-tree lookup among ψ rows. Scores near 1 are
 * anomalies; well below 0.5 normal.
 *
 * Leaves hold their full path length, so the forest is a tree ensemble that
 * averages them (exactly what ONNX's TreeEnsembleRegressor computes) and the
 * score is a transform of that average.
 */
import type { SeededRandom } from "../../runtime/index.js";
import type { Dataset } from "../dataset.js";
import type { Tree, TreeEnsembleModel } from "../model.js";

export interface IsolationForestParams {
  readonly trees: number;
  /** ψ: rows drawn (without replacement) for each tree. */
  readonly sampleSize: number;
}

export const ISOLATION_FOREST_DEFAULTS: IsolationForestParams = { trees: 100, sampleSize: 256 };

const EULER_GAMMA = 0.5772156649015329;

/** c(n): average path length of an unsuccessful search in a binary search tree of n keys. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export function trainIsolationForest(data: Dataset, p: IsolationForestParams, rng: SeededRandom): TreeEnsembleModel {
  const d = data.features.length;
  // Trees see float32 features (as the ONNX graph does), rounded as read:
  // they touch only their few hundred sampled rows, not worth a float32 copy of the matrix.
  const x = data.x;
  const psi = Math.min(p.sampleSize, data.rows);
  const maxDepth = Math.ceil(Math.log2(Math.max(psi, 2)));
  const trees: Tree[] = [];
  const pool = Uint32Array.from({ length: data.rows }, (_, i) => i);
  for (let t = 0; t < p.trees; t++) {
    // Partial Fisher-Yates: the first ψ entries become this tree's sample.
    for (let i = 0; i < psi; i++) {
      const j = i + rng.int(data.rows - i);
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    trees.push(isolationTree(x, d, pool.slice(0, psi), maxDepth, rng));
  }
  return {
    kind: "trees",
    algorithm: "isolation_forest",
    task: "anomaly",
    features: [...data.features],
    classes: 0,
    trees,
    targets: 1,
    aggregate: "average",
    base: new Float64Array(1),
    transform: "isolation",
    pathNorm: averagePathLength(psi),
  };
}

/** Attempts at finding a feature that still varies in a node before it becomes a leaf. */
const FEATURE_ATTEMPTS = 8;

function isolationTree(x: Float64Array, d: number, rows: Uint32Array, maxDepth: number, rng: SeededRandom): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const build = (start: number, end: number, depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(depth + averagePathLength(end - start));
    if (depth >= maxDepth || end - start <= 1) return node;
    for (let attempt = 0; attempt < FEATURE_ATTEMPTS; attempt++) {
      const f = rng.int(d);
      let min = Infinity;
      let max = -Infinity;
      for (let i = start; i < end; i++) {
        const v = Math.fround(x[(rows[i] as number) * d + f] as number);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!(min < max)) continue;
      // float32, and below max, so at least one row goes each way.
      let t = Math.fround(min + rng.next() * (max - min));
      if (t >= max) t = min;
      let i = start;
      let j = end - 1;
      while (i <= j) {
        if (Math.fround(x[(rows[i] as number) * d + f] as number) <= t) i++;
        else {
          const tmp = rows[i] as number;
          rows[i] = rows[j] as number;
          rows[j--] = tmp;
        }
      }
      feature[node] = f;
      threshold[node] = t;
      left[node] = build(start, i, depth + 1);
      right[node] = build(i, end, depth + 1);
      return node;
    }
    return node;
  };
  build(0, rows.length, 0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float32Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    width: 1,
    target: 0,
  };
}
