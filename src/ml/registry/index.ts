/**
 * src/ml/registry — versions of trained models with their stages and an
 * audit of every change, behind one interface (ModelRegistry) so backends
 * can be swapped: the filesystem for the embedded default, JetStream
 * (object store, key-value and a change stream) for clusters; a node opens
 * the configured one with openModelRegistry.
 *
 * Must not depend on actors, stores, HTTP or the runtime's transport (the
 * JetStream backend takes a NATS connection of its own).
 */
export { ALLOWED_TRANSITIONS, STAGES } from "./types.js";
export type { AuditEntry, ChangeBy, FeatureDistribution, ModelRegistry, ModelVersion, NewModelVersion, RegistryWatch, Stage, TrainingWindow } from "./types.js";
export { FsModelRegistry } from "./fs-registry.js";
export type { FsRegistryOptions } from "./fs-registry.js";
export { checkModelBytes } from "./check.js";
export { DEFAULT_MODEL_BUCKET, JetStreamModelRegistry } from "./jetstream-registry.js";
export type { JetStreamRegistryOptions } from "./jetstream-registry.js";
export { openModelRegistry, registryKind } from "./open.js";
export type { ModelRegistryDeps, OpenModelRegistry, RegistryConfig } from "./open.js";
