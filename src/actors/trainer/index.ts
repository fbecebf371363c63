/**
 * src/actors/trainer — the trainer actors (`trainer/<kind>`, hosted on the
 * node's main thread), one per model kind, and the main thread's
 * references to them: training
 * windows from history, labels (simulator ground truth, imported files,
 * operator feedback), the kinds' rows through the shared feature definition,
 * training in the piscina pool, the promotion rule against Production, the
 * cron schedule and the drift check.
 *
 * Talks to history through the HistoryStore contract and to models through
 * ModelRegistry; must not depend on HTTP, transports or the node.
 */
export { newJobId, Trainer } from "./trainer.js";
export type { DriftFinding, ModelOutcome, TrainerOptions, TrainerRecord, TrainerSettings, TrainingJobHandle, TrainingRunResult, TrainingStatus } from "./trainer.js";
export { TrainerActor } from "./actor.js";
export type { DriftCheckReply, RunFinished, TrainerActorOptions, TrainerActorState, TrainerMessage } from "./actor.js";
export { TRAINER_KIND, trainerAddress, trainerKind } from "./kind.js";
export type { TrainerKindOptions } from "./kind.js";
export { TrainerRef } from "./ref.js";
export { trainModel } from "./train-model.js";
export type { TrainedModel, TrainModelDeps } from "./train-model.js";
export { decidePromotion } from "./promotion.js";
export type { ProductionScore, PromotionDecision } from "./promotion.js";
export { anomalyModel, PRIMARY_METRICS, recipeOf, TRAINER_KINDS } from "./recipes.js";
export type { ModelRecipe, PrimaryMetric, TrainerKind } from "./recipes.js";
export { ANOMALY_LABELS, FAILURE_LABEL, LabelIndex, NORMAL_LABELS, OPERATING_RATE_PREFIX, STATE_LABEL_PREFIX } from "./labels.js";
export { SIMULATOR_SOURCE, TruthLabeller } from "./truth-labels.js";
export { rowsForKind } from "./rows-for-kind.js";
export { simulatedHistory } from "./simulated-history.js";
export type { SimulatedHistory, SimulatedHistoryOptions } from "./simulated-history.js";
