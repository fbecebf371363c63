/**
 * src/actors/sensor — the sensor actor: rolling windows and features of one
 * sensor's readings, rule checks (quality, limits, band, flat line), the
 * pluggable anomaly scorer, ProcessedReading output and updates to its unit.
 *
 * Depends on the runtime's public API, src/ml features and the readings
 * types; must not depend on connectors, transports, stores or HTTP.
 */
export type { DuplicateReport, SensorState } from "./actor.js";
export { recycleFeatures } from "./feature-copies.js";
export { sensorKind } from "./kind.js";
export type { SensorKindOptions } from "./kind.js";
export { isSensorUpdate } from "./messages.js";
export type { SensorMessage, SensorQuery, SensorUpdate, SensorView, UnitWear } from "./messages.js";
export { ANOMALY_REASONS, RULE_SCORE, severityOf } from "./rules.js";
export type { AnomalyReason } from "./rules.js";
export type { ScoreResult, ScorerContext, ScorerFactory, SensorScorer } from "./scorer.js";
export { DEFAULT_SENSOR_TYPES, optimalBand, sensorTypeOf, sensorTypeProblem } from "./sensor-types.js";
export type { Band, SensorTypeSpec } from "./sensor-types.js";
export { DEFAULT_SENSOR_SETTINGS, featureSpecOf, resolveSensorSettings } from "./settings.js";
export type { SensorSettings, SensorSettingsInput } from "./settings.js";
export { StatisticalScorer, statisticalScorer } from "./statistical-scorer.js";
