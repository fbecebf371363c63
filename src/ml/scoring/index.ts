/**
 * src/ml/scoring — scoring with trained models on a shard worker: the
 * micro-batcher (rows packed into Float32Array batches, run when full or
 * within about a millisecond), one onnxruntime session per model version,
 * and the thread's set of current versions with its atomic hot swap.
 *
 * Must not depend on actors, the runtime's internals, stores or HTTP: it
 * takes feature rows and hands back scores.
 */
export { MicroBatcher } from "./batcher.js";
export type { BatcherOptions, BatchRun, ScoreSink } from "./batcher.js";
export { DEFAULT_BATCH_SETTINGS, LoadedModel } from "./loaded-model.js";
export type { BatchSettings, ModelSpec } from "./loaded-model.js";
export { FALLBACK_REASONS, WorkerModels } from "./worker-models.js";
export type { FallbackReason, WorkerModelStats, WorkerModelsLog } from "./worker-models.js";
export { OnDemandModels } from "./on-demand.js";
