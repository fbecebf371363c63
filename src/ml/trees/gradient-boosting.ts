/**
 * Gradient-boosted trees (second-order, as XGBoost/LightGBM): each round
 * fits trees to the gradients and hessians of the loss at the current
 * predictions, on a row subsample. Squared error for regression, logistic
 * loss for binary (one tree per round), softmax cross-entropy for
 * multi-class (one tree per class per round).
 */
import type { SeededRandom } from "../../runtime/index.js";
import type { Dataset } from "../dataset.js";
import { softmaxRows, type Tree, type TreeEnsembleModel } from "../model.js";
import { binMatrix } from "./bins.js";
import { newton } from "./criteria.js";
import { binnedLeaf, growTree } from "./grow.js";

export interface GradientBoostingParams {
  readonly rounds: number;
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly minLeaf: number;
  /** L2 penalty on leaf values. */
  readonly lambda: number;
  /** Share of rows each round learns from. */
  readonly subsample: number;
  /** Share of features tried per split. */
  readonly featureFraction: number;
  readonly maxBins: number;
}

export const GRADIENT_BOOSTING_DEFAULTS: GradientBoostingParams = {
  rounds: 100,
  learningRate: 0.1,
  maxDepth: 5,
  minLeaf: 20,
  lambda: 1,
  subsample: 0.8,
  featureFraction: 1,
  maxBins: 64,
};

/** Keeps a leaf's Newton step finite when every row in it is already certain. */
const MIN_HESSIAN = 1e-6;

export function trainGradientBoosting(data: Dataset, task: "binary" | "multiclass" | "regression", classes: number, p: GradientBoostingParams, rng: SeededRandom): TreeEnsembleModel {
  const n = data.rows;
  const d = data.features.length;
  const y = data.y as Float64Array;
  const bins = binMatrix(data.x, n, d, p.maxBins);
  const K = task === "multiclass" ? classes : 1;
  const base = initialScore(task, y, K);
  const F = new Float64Array(n * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) F[r * K + k] = base[k] as number;
  const criterion = newton(p.lambda, p.learningRate);
  const stats = new Float64Array(n * 3);
  const prob = new Float64Array(n * K);
  const featuresPerSplit = Math.max(1, Math.round(p.featureFraction * d));
  const trees: Tree[] = [];
  const chosen = new Uint32Array(n);
  for (let round = 0; round < p.rounds; round++) {
    let m = 0;
    for (let r = 0; r < n; r++) if (p.subsample >= 1 || rng.next() < p.subsample) chosen[m++] = r;
    if (task === "multiclass") {
      prob.set(F);
      softmaxRows(prob, K);
    }
    for (let k = 0; k < K; k++) {
      for (let r = 0; r < n; r++) {
        const f = F[r * K + k] as number;
        const t = y[r] as number;
        let g: number;
        let h: number;
        if (task === "regression") {
          g = f - t;
          h = 1;
        } else if (task === "binary") {
          const pr = 1 / (1 + Math.exp(-f));
          g = pr - t;
          h = Math.max(pr * (1 - pr), MIN_HESSIAN);
        } else {
          const pr = prob[r * K + k] as number;
          g = pr - (t === k ? 1 : 0);
          h = Math.max(pr * (1 - pr), MIN_HESSIAN);
        }
        stats[r * 3] = 1;
        stats[r * 3 + 1] = g;
        stats[r * 3 + 2] = h;
      }
      const grown = growTree(bins, stats, chosen.slice(0, m), criterion, { maxDepth: p.maxDepth, minLeaf: p.minLeaf, featuresPerSplit, target: k }, rng);
      trees.push(grown.tree);
      const value = grown.tree.value;
      for (let r = 0; r < n; r++) F[r * K + k]! += value[binnedLeaf(grown, bins, r)] as number;
    }
  }
  return {
    kind: "trees",
    algorithm: "gradient_boosting",
    task,
    features: [...data.features],
    classes: task === "regression" ? 0 : classes,
    trees,
    targets: K,
    aggregate: "sum",
    base,
    transform: task === "regression" ? "none" : task === "binary" ? "sigmoid" : "softmax",
    pathNorm: 0,
  };
}

/** The constant the boosting starts from: the mean, the log-odds of class 1, or the log class priors. */
function initialScore(task: string, y: Float64Array, K: number): Float64Array {
  const n = y.length;
  if (task === "regression") return Float64Array.of(y.reduce((a, b) => a + b, 0) / n);
  const counts = new Float64Array(task === "binary" ? 2 : K);
  for (const t of y) counts[t]! += 1;
  // Half a row of smoothing keeps an absent class finite.
  const share = (c: number): number => ((counts[c] as number) + 0.5) / (n + 0.5 * counts.length);
  if (task === "binary") return Float64Array.of(Math.log(share(1) / share(0)));
  return Float64Array.from({ length: K }, (_, k) => Math.log(share(k)));
}
