/**
 * Random forest (Breiman): trees grown to depth on bootstrap samples, each
 * split choosing among a random subset of features; the forest averages the
 * trees' class shares (classifier) or values (regressor).
 */
import type { SeededRandom } from "../../runtime/index.js";
import type { Dataset } from "../dataset.js";
import type { TreeEnsembleModel, Tree } from "../model.js";
import { binMatrix } from "./bins.js";
import { gini, VARIANCE } from "./criteria.js";
import { growTree } from "./grow.js";

export interface RandomForestParams {
  readonly trees: number;
  readonly maxDepth: number;
  readonly minLeaf: number;
  /** Share of features tried per split; 0 picks the usual: √d/d for classifiers, 1/3 for regressors. */
  readonly featureFraction: number;
  /** Bootstrap sample size as a share of the rows. */
  readonly sampleFraction: number;
  readonly maxBins: number;
}

export const RANDOM_FOREST_DEFAULTS: RandomForestParams = { trees: 50, maxDepth: 10, minLeaf: 5, featureFraction: 0, sampleFraction: 1, maxBins: 64 };

export function trainRandomForest(data: Dataset, task: "binary" | "multiclass" | "regression", classes: number, p: RandomForestParams, rng: SeededRandom): TreeEnsembleModel {
  const d = data.features.length;
  const y = data.y as Float64Array;
  const bins = binMatrix(data.x, data.rows, d, p.maxBins);
  const regression = task === "regression";
  const criterion = regression ? VARIANCE : gini(classes);
  const C = criterion.channels;
  const stats = new Float64Array(data.rows * C);
  for (let r = 0; r < data.rows; r++) {
    stats[r * C] = 1;
    if (regression) stats[r * C + 1] = y[r] as number;
    else stats[r * C + 1 + (y[r] as number)] = 1;
  }
  const fraction = p.featureFraction > 0 ? p.featureFraction : regression ? 1 / 3 : Math.sqrt(d) / d;
  const featuresPerSplit = Math.max(1, Math.round(fraction * d));
  const sample = Math.max(1, Math.round(p.sampleFraction * data.rows));
  const trees: Tree[] = [];
  const indices = new Uint32Array(sample);
  const draws = new Uint32Array(data.rows);
  for (let t = 0; t < p.trees; t++) {
    // A bootstrap as counts per row, emitted in row order (see growTree on why order matters).
    draws.fill(0);
    for (let i = 0; i < sample; i++) draws[rng.int(data.rows)]! += 1;
    for (let r = 0, i = 0; r < data.rows; r++) for (let c = draws[r] as number; c > 0; c--) indices[i++] = r;
    trees.push(growTree(bins, stats, indices, criterion, { maxDepth: p.maxDepth, minLeaf: p.minLeaf, featuresPerSplit, target: 0 }, rng).tree);
  }
  return {
    kind: "trees",
    algorithm: "random_forest",
    task,
    features: [...data.features],
    classes: regression ? 0 : classes,
    trees,
    targets: criterion.width,
    aggregate: "average",
    base: new Float64Array(criterion.width),
    transform: "none",
    pathNorm: 0,
  };
}
