/**
 * Predictions on demand (the API's `POST /api/v1/predict`): feature rows
 * scored by a named model — its Production version, or the one asked for —
 * with onnxruntime on the main thread through src/ml/scoring's
 * LoadedModel (OnDemandModels; the workers' sessions are theirs; a request
 * of a few rows is scored by the model's TypeScript twin, which agrees with
 * onnxruntime within the export check's tolerance), and the
 * outputs read the way the pipeline reads them (actors/models/outputs.ts).
 *
 * Refusals have their own codes: VIGIL_API_MODEL_UNKNOWN (no such scored
 * model or version, or none in Production), VIGIL_API_FEATURE_MISSING (a
 * row lacks one of the version's features), VIGIL_API_BATCH_TOO_LARGE (more
 * than models.predict.maxRows rows), VIGIL_API_OVERLOADED (the version's
 * queue is full).
 */
import { anomalyScoreOf, isScoredModel, powerKwOf, rulOf, SOLAR_FORECAST_MODEL, thresholdOf, UNIT_RUL_MODEL, UNIT_STATE_MODEL, unitStateOf } from "../actors/models/index.js";
import type { OperationalState } from "../actors/readings/index.js";
import type { VigilConfig } from "../config/index.js";
import { OnDemandModels, type ModelRegistry, type ModelSpec, type ModelVersion, type Stage, type Task } from "../ml/index.js";
import { isVigilError, VigilError } from "../runtime/index.js";

export interface PredictRequest {
  readonly model: string;
  /** Default: the version in Production. */
  readonly version?: number | undefined;
  /** Each row: the version's features by name (others are ignored). */
  readonly rows: readonly Readonly<Record<string, number>>[];
}

/** One row's answer: the raw outputs and what they mean for the model's kind. */
export interface Prediction {
  outputs: number[];
  /** anomaly.<type>: the score and whether it is at or above the version's threshold. */
  score?: number;
  anomalous?: boolean;
  /** unit_state */
  state?: OperationalState;
  probabilities?: Record<OperationalState, number>;
  /** unit_rul */
  rul_hours?: number;
  health?: number;
  /** solar_forecast */
  power_kw?: number;
}

export interface PredictAnswer {
  model: string;
  version: number;
  stage: Stage;
  /** `<model>@<version>`, as in processed readings. */
  model_version: string;
  task: Task;
  features: readonly string[];
  /** Anomaly versions: the score at or above which a row is anomalous. */
  threshold: number | null;
  predictions: Prediction[];
}

export type PredictSettings = Pick<VigilConfig["models"], "predict" | "scoring">;

export class PredictionService {
  private readonly loaded: OnDemandModels;

  constructor(
    private readonly registry: Pick<ModelRegistry, "production" | "get" | "load">,
    private readonly settings: PredictSettings,
  ) {
    const { batchRows, flushMs } = settings.scoring;
    // Room for a few full requests per version; beyond, callers are told to come back.
    this.loaded = new OnDemandModels(settings.predict.maxSessions, { batchRows, flushMs, maxQueuedRows: 4 * Math.max(batchRows, settings.predict.maxRows) });
  }

  async predict(request: PredictRequest): Promise<PredictAnswer> {
    const { maxRows } = this.settings.predict;
    if (request.rows.length > maxRows) {
      throw new VigilError("VIGIL_API_BATCH_TOO_LARGE", `${request.rows.length} rows; at most ${maxRows} are scored per request (models.predict.maxRows)`);
    }
    const v = await this.version(request.model, request.version);
    const rows = request.rows.map((row, i) => rowOf(v.features, row, i));
    const label = `${v.model}@${v.version}`;
    const threshold = v.model.startsWith("anomaly.") ? thresholdOf(v, this.settings.scoring.anomalyThreshold) : null;
    const scored = await this.loaded.score(label, () => this.spec(v, threshold ?? 0), rows);
    if (scored === "overloaded") throw new VigilError("VIGIL_API_OVERLOADED", `${label} has as many rows waiting as it takes; try again shortly`);
    const width = scored.model.outputWidth;
    return {
      model: v.model,
      version: v.version,
      stage: v.stage,
      model_version: label,
      task: v.task,
      features: v.features,
      threshold,
      predictions: scored.outputs.map((out) => this.meaning(v.model, out, width, threshold)),
    };
  }

  /** Releases every session (after the rows handed in finish). */
  close(): Promise<void> {
    return this.loaded.close();
  }

  private async version(model: string, version: number | undefined): Promise<ModelVersion> {
    if (!isScoredModel(model)) {
      throw new VigilError("VIGIL_API_MODEL_UNKNOWN", `no model "${model}": predictions are made with anomaly.<sensor type>, ${UNIT_STATE_MODEL}, ${UNIT_RUL_MODEL} or ${SOLAR_FORECAST_MODEL}`);
    }
    if (version === undefined) {
      const production = await this.registry.production(model);
      if (production === undefined) throw new VigilError("VIGIL_API_MODEL_UNKNOWN", `${model} has no version in Production; name one with "version"`);
      return production;
    }
    try {
      return await this.registry.get(model, version);
    } catch (err) {
      if (isVigilError(err, "VIGIL_MODEL_NOT_FOUND")) throw new VigilError("VIGIL_API_MODEL_UNKNOWN", `${model} has no version ${version}`, { cause: err });
      throw err;
    }
  }

  private async spec(v: ModelVersion, threshold: number): Promise<ModelSpec> {
    // load() checks the bytes against the manifest's digest (VIGIL_MODEL_CORRUPT).
    const { manifest, onnx } = await this.registry.load(v.model, v.version);
    return { name: manifest.model, version: manifest.version, task: manifest.task, features: manifest.features, threshold, onnx };
  }

  private meaning(model: string, out: Float32Array, width: number, threshold: number | null): Prediction {
    const p: Prediction = { outputs: Array.from(out) };
    if (threshold !== null) {
      p.score = Math.round(anomalyScoreOf(out, 0, width) * 1e6) / 1e6;
      p.anomalous = p.score >= threshold;
    } else if (model === UNIT_STATE_MODEL) {
      const { state, probabilities } = unitStateOf(out, 0, width);
      p.state = state;
      p.probabilities = probabilities;
    } else if (model === UNIT_RUL_MODEL) {
      const { rulHours, health } = rulOf(out[0] as number, this.settings.scoring.healthyRulHours);
      p.rul_hours = rulHours;
      p.health = health;
    } else if (model === SOLAR_FORECAST_MODEL) {
      p.power_kw = powerKwOf(out[0] as number);
    }
    return p;
  }
}

/** A row as the model's input: its features in the version's order; VIGIL_API_FEATURE_MISSING names what is not there. */
function rowOf(features: readonly string[], row: Readonly<Record<string, number>>, index: number): Float64Array {
  const out = new Float64Array(features.length);
  const missing: string[] = [];
  features.forEach((f, i) => {
    const value = row[f];
    if (value === undefined) missing.push(f);
    else out[i] = value;
  });
  if (missing.length > 0) {
    const named = missing.slice(0, 10).join(", ") + (missing.length > 10 ? `, … (${missing.length} in all)` : "");
    throw new VigilError("VIGIL_API_FEATURE_MISSING", `rows[${index}] lacks feature${missing.length > 1 ? "s" : ""} ${named}; the version's features are listed by GET /api/v1/models`);
  }
  return out;
}
