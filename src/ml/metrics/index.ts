/** How good a model is on a holdout, and how far live data has drifted from its training data. */
export { binaryMetrics, multiclassMetrics, rocAuc } from "./classification.js";
export type { BinaryMetrics, MulticlassMetrics } from "./classification.js";
export { nasaRulScore, regressionMetrics } from "./regression.js";
export type { RegressionMetrics } from "./regression.js";
export { driftReference, PSI_BINS, psi } from "./drift.js";
export type { DriftReference } from "./drift.js";
export { evaluate, metricsOf } from "./evaluate.js";
