/**
 * src/ml/features — the one definition of the rolling-window features, shared
 * by live scoring (the sensor actor) and training (feature rows from history).
 *
 * Pure numbers: must not depend on actors, the runtime, stores or anything
 * with I/O, so a trainer in a piscina worker can import it as it is.
 */
export { featureRows } from "./rows.js";
export type { FeatureMatrix } from "./rows.js";
export { RollingFeatures } from "./rolling.js";
export type { RollingFeaturesChange, RollingFeaturesState } from "./rolling.js";
export { DEFAULT_FEATURE_SPEC, STREAM_FEATURES, WINDOW_FEATURES, anomalyFeatureNames, featureNames, featureSpecProblem, windowNames } from "./spec.js";
export type { FeatureSpec, WindowFeature } from "./spec.js";
export type { WindowStats } from "./window.js";
export { TIME_FEATURES, writeTimeFeatures } from "./time.js";
export { UNIT_FEATURES, UnitFeatures, unitFeatureNames } from "./unit.js";
export { unitFeatureMatrix } from "./matrix.js";
export type { ReadingRow, UnitFeatureMatrix } from "./matrix.js";
