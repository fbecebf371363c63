/**
 * src/ml — rolling-window feature engineering (one definition shared by
 * training and scoring), training algorithms, ONNX export with its parity
 * check, metrics, training in piscina workers, and the model registry.
 *
 * Must not depend on actors, connectors, stores or HTTP: it takes feature
 * rows and returns models and scores.
 *
 * @example
 * const result = await new TrainingPool().run({ algorithm: "gradient_boosting", task: "regression", data, holdout, seed: 1 });
 * // result.model (TypeScript), result.onnx (checked against it on the holdout), result.metrics, result.dataHash
 * await registry.register({ model: "rul", ...result.model, params: {}, metrics: result.metrics, trainingWindow, dataHash: result.dataHash, seed: 1, onnx: result.onnx }, { who, why });
 */
export * from "./features/index.js";
export { checkDataset, holdoutSplit, selectFeatures, sliceRows } from "./dataset.js";
export type { Dataset } from "./dataset.js";
export { ALGORITHMS, argmaxRows, outputName, outputNameOf, outputWidth, predict, TASKS } from "./model.js";
export type { Algorithm, LinearModel, Model, Task, Tree, TreeEnsembleModel } from "./model.js";
export { ALGORITHM_TASKS, PARAM_SCHEMAS, train } from "./train.js";
export type { TrainSpec } from "./train.js";
export { exportOnnx, ONNX_INPUT } from "./onnx/export.js";
export { DEFAULT_EXPORT_TOLERANCE, loadSession, verifyExport } from "./onnx/verify.js";
export { scoreOnnx } from "./onnx/score.js";
export type { ExportCheck, ExportTolerance } from "./onnx/verify.js";
export * from "./metrics/index.js";
export { datasetHash, runTrainingJob } from "./training/job.js";
export type { TrainingJob, TrainingResult } from "./training/job.js";
export { TrainingPool } from "./training/pool.js";
export type { TrainingPoolOptions } from "./training/pool.js";
export * from "./registry/index.js";
export * from "./scoring/index.js";
