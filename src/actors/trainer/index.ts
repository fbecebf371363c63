/**
 * src/actors/trainer — the trainer actors, one per model kind: training
 * windows from history, labels (simulator ground truth, imported files,
 * operator feedback), the kinds' rows through the shared feature definition,
 * training in the piscina pool, the promotion rule against Production, the
 * cron schedule and the drift check.
 *
 * Talks to history through the HistoryStore contract and to models through
 * ModelRegistry; must not depend on HTTP, transports or the node.
 */
export { Trainer } from "./trainer.js";
export type { DriftFinding, ModelOutcome, TrainerOptions, TrainerSettings, TrainingJobHandle, TrainingRunResult, TrainingStatus } from "./trainer.js";
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
