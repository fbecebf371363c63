/**
 * src/actors/models — scoring with trained models in the pipeline: the
 * registry names and what each model's features may ask for, the per-worker
 * modelbook actor (install, remove, counters), and the main thread's feed
 * that keeps every worker on the registry's Production versions (hot swap).
 * The scoring itself is in the sensor and unit actors, on src/ml/scoring.
 *
 * Depends on the runtime's public API and src/ml; must not depend on
 * connectors, stores or HTTP.
 */
export { ModelFeed } from "./feed.js";
export type { ModelFeedOptions } from "./feed.js";
export { MODELBOOK_KIND, modelbookKind } from "./kind.js";
export type { DrainModels, InstallModel, ModelbookMessage, ModelStatsQuery, RemoveModel } from "./kind.js";
export { ANOMALY_MODEL_PREFIX, anomalyModelOf, checkScorable, isScoredModel, SOLAR_FORECAST_MODEL, UNIT_MODELS, UNIT_RUL_MODEL, UNIT_STATE_MODEL } from "./names.js";
export { anomalyScoreOf, powerKwOf, rulOf, thresholdOf, unitStateOf } from "./outputs.js";
