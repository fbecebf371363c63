/**
 * Configuration: the one schema of a node's settings, their defaults, and the
 * loader that layers file, environment and flags over them and validates the
 * result once at the boundary.
 *
 * Everything else receives a validated, frozen `VigilConfig` and never reads
 * `process.env` or config files itself.
 *
 * Must not depend on: the actor runtime (beyond its error type), actors,
 * transports, the CLI or HTTP. It is a leaf that everything else may import.
 */
export { configSchema, LOG_LEVELS, OVERFLOW_POLICIES, PROCESSED_OUTPUTS, TRANSPORT_KINDS } from "./schema.js";
export type { LogLevel, OverflowPolicy, ProcessedOutput, TransportKind, VigilConfig } from "./schema.js";
export { defaults } from "./defaults.js";
export { parseTemplate, parseTopicPattern, topicMappingSchema } from "./mqtt-topics.js";
export { opcUaEndpointSchema, opcUaNodeMappingSchema } from "./opcua-endpoints.js";
export type { FieldsTopicMapping, PatternLevel, ReadingTopicMapping, TemplatePart, TopicMapping, TopicPattern } from "./mqtt-topics.js";
export { loadConfig } from "./load.js";
export { notifierSchema, notifyRouteSchema, notifySchema } from "./notify.js";
export type { NotifierConfig, NotifyConfig, NotifyRouteConfig } from "./notify.js";
export type { FlagValue, LoadConfigOptions } from "./load.js";
export { ConfigInvalidError } from "./errors.js";
export type { ConfigIssue } from "./errors.js";
export { SETTINGS } from "./settings.js";
export type { ConfigPath, Setting } from "./settings.js";
export type { AlarmsConfig } from "./alarms.js";
export { MODEL_BUCKET_NAME, MODEL_REGISTRY_KINDS } from "./models.js";
export type { ModelRegistryKind } from "./models.js";
export { TRAINER_KINDS, trainingSchema } from "./training.js";
export type { TrainingConfig } from "./training.js";
export { API_ROLES, apiKeySchema, httpSchema } from "./http.js";
export type { ApiKeyConfig, ApiRoleName, HttpConfig } from "./http.js";
