/**
 * The registry names of the models the pipeline scores with, and what each
 * one's feature list may ask for (the shared contract of the models work):
 *
 * - `anomaly.<sensorType>`: a sensor's rolling features (featureNames of
 *   the sensor settings' spec), task `anomaly` or `binary`;
 * - `unit_state` (multiclass over OPERATIONAL_STATES, in their order) and
 *   `unit_rul` (regression, hours): unit features (unitFeatureNames);
 * - `solar_forecast` (regression, kW): time features and a device's fields
 *   (`<field>` is the field's latest value, `<field>.<feature>` its rolling
 *   features).
 *
 * A model asking for a column the scorer cannot build is refused before it
 * reaches a worker (VIGIL_MODEL_INCOMPATIBLE).
 */
import { TIME_FEATURES, UNIT_FEATURES, type Task } from "../../ml/index.js";
import { VigilError } from "../../runtime/index.js";

export const ANOMALY_MODEL_PREFIX = "anomaly.";
export const UNIT_STATE_MODEL = "unit_state";
export const UNIT_RUL_MODEL = "unit_rul";
export const SOLAR_FORECAST_MODEL = "solar_forecast";
/** Models scored by unit actors over their sensors' features. */
export const UNIT_MODELS = [UNIT_STATE_MODEL, UNIT_RUL_MODEL, SOLAR_FORECAST_MODEL] as const;

/** The anomaly model of a sensor type. */
export function anomalyModelOf(sensorType: string): string {
  return `${ANOMALY_MODEL_PREFIX}${sensorType}`;
}

/** Whether the scoring path uses models of this name. */
export function isScoredModel(name: string): boolean {
  return name.startsWith(ANOMALY_MODEL_PREFIX) || (UNIT_MODELS as readonly string[]).includes(name);
}

const TASKS_OF: Readonly<Record<string, readonly Task[]>> = {
  [UNIT_STATE_MODEL]: ["multiclass"],
  [UNIT_RUL_MODEL]: ["regression"],
  [SOLAR_FORECAST_MODEL]: ["regression"],
};

/**
 * Throws VIGIL_MODEL_INCOMPATIBLE when the version's task or features do
 * not fit the scorer of `name`; `sensorFeatures` are a sensor's rolling
 * feature names as configured.
 */
export function checkScorable(name: string, version: number, task: Task, features: readonly string[], sensorFeatures: readonly string[]): void {
  const label = `${name} v${version}`;
  const tasks = name.startsWith(ANOMALY_MODEL_PREFIX) ? (["anomaly", "binary"] as const) : TASKS_OF[name];
  if (tasks === undefined) throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${label}: no scorer uses a model of this name`);
  if (!tasks.includes(task)) throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${label}: task ${task}, the scorer needs ${tasks.join(" or ")}`);
  const own = new Set(sensorFeatures);
  const unknown = name.startsWith(ANOMALY_MODEL_PREFIX)
    ? features.filter((f) => !own.has(f))
    : features.filter((f) => !unitColumnBuildable(f, own));
  if (unknown.length > 0) {
    throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${label}: the scorer cannot build feature${unknown.length > 1 ? "s" : ""} ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}`);
  }
}

const UNIT_WIDE = new Set<string>([...TIME_FEATURES, ...UNIT_FEATURES]);

function unitColumnBuildable(column: string, sensorFeatures: ReadonlySet<string>): boolean {
  if (UNIT_WIDE.has(column)) return true;
  const dot = column.indexOf(".");
  if (dot < 0) return column.length > 0; // a field's latest value
  return dot > 0 && sensorFeatures.has(column.slice(dot + 1));
}
