/**
 * The one entry point to training: which algorithm, which task, the data,
 * its parameters (validated once here and filled with defaults) and a seed.
 * Everything random draws from one SeededRandom made from that seed, so the
 * same call gives the same model bit for bit.
 */
import { z } from "zod";
import { SeededRandom, VigilError } from "../runtime/index.js";
import { checkDataset, type Dataset } from "./dataset.js";
import { LINEAR_REGRESSION_DEFAULTS, trainLinearRegression } from "./linear/linear-regression.js";
import { LOGISTIC_REGRESSION_DEFAULTS, trainLogisticRegression } from "./linear/logistic-regression.js";
import type { Algorithm, Model, Task } from "./model.js";
import { GRADIENT_BOOSTING_DEFAULTS, trainGradientBoosting } from "./trees/gradient-boosting.js";
import { ISOLATION_FOREST_DEFAULTS, trainIsolationForest } from "./trees/isolation-forest.js";
import { RANDOM_FOREST_DEFAULTS, trainRandomForest } from "./trees/random-forest.js";

export interface TrainSpec {
  readonly algorithm: Algorithm;
  readonly task: Task;
  readonly data: Dataset;
  /** Algorithm parameters; anything left out takes its default (see PARAM_SCHEMAS). */
  readonly params?: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Classes of a classifier; default: the largest label + 1 (2 for binary). */
  readonly classes?: number;
}

const count = z.number().int().min(1);
const share = z.number().gt(0).max(1);
const bins = z.number().int().min(2).max(256);

/** Parameters each algorithm accepts, with their defaults. */
export const PARAM_SCHEMAS = {
  isolation_forest: z.strictObject({ trees: count, sampleSize: z.number().int().min(2) }).partial(),
  random_forest: z
    .strictObject({ trees: count, maxDepth: count, minLeaf: count, featureFraction: z.number().min(0).max(1), sampleFraction: share, maxBins: bins })
    .partial(),
  gradient_boosting: z
    .strictObject({ rounds: count, learningRate: share, maxDepth: count, minLeaf: count, lambda: z.number().min(0), subsample: share, featureFraction: share, maxBins: bins })
    .partial(),
  linear_regression: z.strictObject({ l2: z.number().min(0) }).partial(),
  logistic_regression: z.strictObject({ epochs: z.number().int().min(0), batchSize: count, learningRate: z.number().gt(0), l2: z.number().min(0) }).partial(),
} as const;

/** Which tasks each algorithm can learn. */
export const ALGORITHM_TASKS: Readonly<Record<Algorithm, readonly Task[]>> = {
  isolation_forest: ["anomaly"],
  random_forest: ["binary", "multiclass", "regression"],
  gradient_boosting: ["binary", "multiclass", "regression"],
  linear_regression: ["regression"],
  logistic_regression: ["binary", "multiclass"],
};

/** Trains a model. Throws VIGIL_ML_PARAMS_INVALID / VIGIL_ML_DATASET_INVALID for bad input. */
export function train(spec: TrainSpec): Model {
  const { algorithm, task, data } = spec;
  const tasks = ALGORITHM_TASKS[algorithm] as readonly Task[] | undefined;
  if (tasks === undefined) throw new VigilError("VIGIL_ML_PARAMS_INVALID", `unknown algorithm "${String(algorithm)}"`);
  if (!tasks.includes(task)) throw new VigilError("VIGIL_ML_PARAMS_INVALID", `${algorithm} cannot learn a ${task} task (it learns ${tasks.join(", ")})`);
  if (!Number.isInteger(spec.seed)) throw new VigilError("VIGIL_ML_PARAMS_INVALID", `seed: expected a whole number, got ${spec.seed}`);
  checkDataset(data, task !== "anomaly");
  const classes = task === "binary" || task === "multiclass" ? classesOf(spec) : 0;
  const rng = new SeededRandom(spec.seed);
  switch (algorithm) {
    case "isolation_forest":
      return trainIsolationForest(data, { ...ISOLATION_FOREST_DEFAULTS, ...params(algorithm, spec.params) }, rng);
    case "random_forest":
      return trainRandomForest(data, task as "binary", classes, { ...RANDOM_FOREST_DEFAULTS, ...params(algorithm, spec.params) }, rng);
    case "gradient_boosting":
      return trainGradientBoosting(data, task as "binary", classes, { ...GRADIENT_BOOSTING_DEFAULTS, ...params(algorithm, spec.params) }, rng);
    case "linear_regression":
      return trainLinearRegression(data, { ...LINEAR_REGRESSION_DEFAULTS, ...params(algorithm, spec.params) });
    case "logistic_regression":
      return trainLogisticRegression(data, task as "binary", classes, { ...LOGISTIC_REGRESSION_DEFAULTS, ...params(algorithm, spec.params) }, rng);
  }
}

function params<A extends Algorithm>(algorithm: A, given: Readonly<Record<string, number>> | undefined): z.infer<(typeof PARAM_SCHEMAS)[A]> {
  const parsed = PARAM_SCHEMAS[algorithm].safeParse(given ?? {});
  if (!parsed.success) throw new VigilError("VIGIL_ML_PARAMS_INVALID", `${algorithm} params: ${z.prettifyError(parsed.error)}`);
  // Drop keys zod left undefined so they do not overwrite the defaults.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as z.infer<(typeof PARAM_SCHEMAS)[A]>;
}

function classesOf(spec: TrainSpec): number {
  const y = spec.data.y as Float64Array;
  let max = 0;
  for (const t of y) {
    if (!Number.isInteger(t) || t < 0) throw new VigilError("VIGIL_ML_DATASET_INVALID", `class labels must be whole numbers from 0, got ${t}`);
    if (t > max) max = t;
  }
  const classes = spec.task === "binary" ? 2 : (spec.classes ?? max + 1);
  if (max >= classes) throw new VigilError("VIGIL_ML_DATASET_INVALID", `label ${max} is outside ${classes} classes`);
  if (classes < 2) throw new VigilError("VIGIL_ML_DATASET_INVALID", "a classifier needs at least 2 classes");
  return classes;
}
