/**
 * src/ml/registry — versions of trained models with their stages and an
 * audit of every change, behind one interface (ModelRegistry) so backends
 * can be swapped: the filesystem now, JetStream object store + key-value for
 * clusters later.
 *
 * Must not depend on actors, stores or HTTP.
 */
export { ALLOWED_TRANSITIONS, STAGES } from "./types.js";
export type { AuditEntry, ChangeBy, ModelRegistry, ModelVersion, NewModelVersion, RegistryWatch, Stage, TrainingWindow } from "./types.js";
export { FsModelRegistry } from "./fs-registry.js";
export type { FsRegistryOptions } from "./fs-registry.js";
export { checkModelBytes } from "./check.js";
