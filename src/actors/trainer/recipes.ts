/**
 * What each trainer kind trains: the registry model names (the shared
 * contract: `anomaly.<sensorType>`, `unit_state`, `unit_rul`,
 * `solar_forecast`), the task and algorithm, modest parameters (models are
 * shipped in git and loaded by every worker, so trees stay few and shallow),
 * and the primary metric the promotion rule compares.
 */
import type { Algorithm, Task } from "../../ml/index.js";
import { OPERATIONAL_STATES } from "../readings/index.js";

export const TRAINER_KINDS = ["anomaly", "unit_state", "unit_rul", "solar_forecast"] as const;
export type TrainerKind = (typeof TRAINER_KINDS)[number];

export interface PrimaryMetric {
  readonly name: string;
  readonly higherIsBetter: boolean;
}

export interface ModelRecipe {
  readonly kind: TrainerKind;
  /** Registry model name. */
  readonly model: string;
  readonly task: Task;
  readonly algorithm: Algorithm;
  readonly params: Readonly<Record<string, number>>;
  readonly classes?: number;
  readonly primary: PrimaryMetric;
}

/** The primary metric per task: what "better" means for the promotion rule. */
export const PRIMARY_METRICS: Readonly<Record<Task, PrimaryMetric>> = {
  anomaly: { name: "roc_auc", higherIsBetter: true },
  binary: { name: "f1", higherIsBetter: true },
  multiclass: { name: "weighted_f1", higherIsBetter: true },
  regression: { name: "rmse", higherIsBetter: false },
};

export function anomalyModel(sensorType: string): string {
  return `anomaly.${sensorType}`;
}

/** The solar device's power: the sensor a solar forecast predicts (the first of these a device has). */
export const SOLAR_POWER_SENSORS = ["power", "ac_power", "active_power_kw", "power_kw"] as const;
/** A unit is a solar device when it reports irradiance. */
export const SOLAR_IRRADIANCE_SENSORS = ["ghi", "irradiance"] as const;

export function recipeOf(kind: TrainerKind, sensorType?: string): ModelRecipe {
  switch (kind) {
    case "anomaly":
      return { kind, model: anomalyModel(sensorType ?? "unknown"), task: "anomaly", algorithm: "isolation_forest", params: { trees: 25, sampleSize: 128 }, primary: PRIMARY_METRICS.anomaly };
    case "unit_state":
      return {
        kind,
        model: "unit_state",
        task: "multiclass",
        algorithm: "random_forest",
        params: { trees: 12, maxDepth: 8, minLeaf: 5 },
        classes: OPERATIONAL_STATES.length,
        primary: PRIMARY_METRICS.multiclass,
      };
    case "unit_rul":
      return { kind, model: "unit_rul", task: "regression", algorithm: "random_forest", params: { trees: 10, maxDepth: 7, minLeaf: 10 }, primary: PRIMARY_METRICS.regression };
    case "solar_forecast":
      return { kind, model: "solar_forecast", task: "regression", algorithm: "gradient_boosting", params: { rounds: 40, maxDepth: 4 }, primary: PRIMARY_METRICS.regression };
  }
}
