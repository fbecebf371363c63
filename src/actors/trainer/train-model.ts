/**
 * One model's training run after its rows are built — the function every
 * trainer actor and the baseline script (`npm run models:baseline`) call:
 * split the rows in time order, train, export and check in the training
 * pool, add the RUL score where it applies, measure the Production version
 * on the same holdout, register the new version and move it to Staging or
 * on to Production by the promotion rule, every change audited as
 * "trainer/<kind>" with the comparison as the reason.
 */
import {
  driftReference,
  holdoutSplit,
  metricsOf,
  nasaRulScore,
  predict,
  scoreOnnx,
  type ChangeBy,
  type DriftReference,
  type FeatureDistribution,
  type ModelRegistry,
  type ModelVersion,
  type TrainingJob,
  type TrainingResult,
  type TrainingWindow,
} from "../../ml/index.js";
import type { TrainingRows } from "./datasets.js";
import { decidePromotion, type ProductionScore, type PromotionDecision } from "./promotion.js";
import type { ModelRecipe } from "./recipes.js";

export interface TrainModelDeps {
  /** Runs the training job (a TrainingPool's `run`, or runTrainingJob in-thread). */
  readonly train: (job: TrainingJob) => Promise<TrainingResult>;
  readonly registry: ModelRegistry;
  readonly holdoutFraction: number;
  readonly promotionMargin: number;
  readonly seed: number;
  /** Audit `who`. @default "trainer/<kind>" */
  readonly who?: string;
}

export interface TrainedModel {
  readonly version: ModelVersion;
  readonly decision: PromotionDecision;
  readonly production: ProductionScore | undefined;
  readonly metrics: Readonly<Record<string, number>>;
  readonly dataHash: string;
  readonly rows: { readonly train: number; readonly holdout: number };
  /** The training rows' distribution per feature, for the drift check. */
  readonly reference: DriftReference;
}

export async function trainModel(recipe: ModelRecipe, rows: TrainingRows, window: TrainingWindow, deps: TrainModelDeps): Promise<TrainedModel> {
  const { train, holdout } = holdoutSplit(rows.data, deps.holdoutFraction);
  const reference = driftReference(train.features, train.x, train.rows);
  // An isolation forest learns without labels; its holdout keeps them for the metrics.
  const data = recipe.task === "anomaly" ? { features: train.features, rows: train.rows, x: train.x } : train;
  const result = await deps.train({
    algorithm: recipe.algorithm,
    task: recipe.task,
    data,
    holdout,
    params: recipe.params,
    seed: deps.seed,
    ...(recipe.classes === undefined ? {} : { classes: recipe.classes }),
  });
  const metrics = { ...result.metrics };
  if (recipe.kind === "unit_rul" && holdout.y !== undefined) metrics["nasa_score"] = nasaRulScore(holdout.y, predict(result.model, holdout.x, holdout.rows));
  const production = await scoreProduction(deps.registry, recipe, holdout);
  const decision = decidePromotion(recipe.primary, metrics, production, deps.promotionMargin);
  const who = deps.who ?? `trainer/${recipe.kind}`;
  const registered = await deps.registry.register(
    {
      model: recipe.model,
      algorithm: recipe.algorithm,
      task: recipe.task,
      features: result.model.features,
      params: recipe.params,
      metrics,
      trainingWindow: window,
      dataHash: result.dataHash,
      seed: deps.seed,
      // With the version, so the drift check has it wherever the version goes (a baseline seeded from models/ included).
      distribution: distributionOf(reference, result.model.features),
      onnx: result.onnx,
    },
    { who, why: `trained on ${train.rows} rows of ${rows.units.length} unit(s), ${holdout.rows} held out` },
  );
  const by: ChangeBy = { who, why: decision.reason };
  let version = await deps.registry.transition(recipe.model, registered.version, "Staging", by);
  if (decision.promote) version = await deps.registry.transition(recipe.model, registered.version, "Production", by);
  return {
    version,
    decision,
    production,
    metrics,
    dataHash: result.dataHash,
    rows: { train: train.rows, holdout: holdout.rows },
    reference,
  };
}

/** The reference's bins in the model's feature order. */
function distributionOf(reference: DriftReference, features: readonly string[]): FeatureDistribution {
  const at = features.map((name) => reference.features.indexOf(name));
  return { edges: at.map((i) => reference.edges[i] ?? []), shares: at.map((i) => reference.shares[i] ?? [1]) };
}

/** The Production version's metrics on this holdout, scored by onnxruntime; undefined when nothing is in Production. */
async function scoreProduction(registry: ModelRegistry, recipe: ModelRecipe, holdout: TrainingRows["data"]): Promise<ProductionScore | undefined> {
  const live = await registry.production(recipe.model);
  if (live === undefined) return undefined;
  if (holdout.y === undefined) return { version: live.version, error: "the holdout has no labels" };
  try {
    const { manifest, onnx } = await registry.load(recipe.model, live.version);
    const out = await scoreOnnx(onnx, { features: manifest.features, task: manifest.task, label: `${recipe.model} v${live.version}` }, holdout);
    const metrics = metricsOf(manifest.task, recipe.classes ?? 0, holdout.y, out);
    if (recipe.kind === "unit_rul") metrics["nasa_score"] = nasaRulScore(holdout.y, out);
    return { version: live.version, metrics };
  } catch (err) {
    return { version: live.version, error: err instanceof Error ? err.message : String(err) };
  }
}
