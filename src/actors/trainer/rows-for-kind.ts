/**
 * The rows each trainer kind trains on, from one read of history: per
 * sensor type for the anomaly models; the units that have the labels a unit
 * model needs (state, failures) for unit_state and unit_rul; the solar
 * devices (units reporting irradiance) for the power forecast — a device's
 * power at an instant from its other fields' features and the time of day,
 * rows spread over the whole window so every hour of the day is in. `labelled:
 * false` builds the same columns without targets: recent live data for the
 * drift check.
 */
import { anomalyFeatureNames, type FeatureSpec, type ReadingRow } from "../../ml/index.js";
import type { LabelRow } from "../../store/index.js";
import { sensorTypeOf, type SensorTypeSpec } from "../sensor/index.js";
import { VigilError } from "../../runtime/index.js";
import { sensorTypeRows, unitRows, type TrainingRows } from "./datasets.js";
import { FAILURE_LABEL, LabelIndex, STATE_LABEL_PREFIX } from "./labels.js";
import { recipeOf, SOLAR_IRRADIANCE_SENSORS, SOLAR_POWER_SENSORS, type ModelRecipe, type TrainerKind } from "./recipes.js";

export interface RowsContext {
  readonly spec: FeatureSpec;
  readonly sensorTypes: Readonly<Record<string, SensorTypeSpec>>;
  readonly maxRows: number;
}

export type RowsOutcome = { readonly recipe: ModelRecipe; readonly rows: TrainingRows } | { readonly recipe: ModelRecipe; readonly error: unknown };

export function rowsForKind(kind: TrainerKind, readings: readonly ReadingRow[], labels: readonly LabelRow[], ctx: RowsContext, labelled = true): RowsOutcome[] {
  const index = new LabelIndex(labels);
  const attempt = (recipe: ModelRecipe, build: () => TrainingRows): RowsOutcome => {
    try {
      return { recipe, rows: build() };
    } catch (err) {
      return { recipe, error: err };
    }
  };
  switch (kind) {
    case "anomaly": {
      const types = new Set<string>();
      for (const r of readings) {
        const t = sensorTypeOf(ctx.sensorTypes, r.sensor)?.name;
        if (t !== undefined) types.add(t);
      }
      if (types.size === 0) return [{ recipe: recipeOf(kind), error: new VigilError("VIGIL_TRAINING_NO_DATA", "no readings of a known sensor type in the training window") }];
      const features = anomalyFeatureNames(ctx.spec);
      return [...types].sort().map((type) => attempt(recipeOf(kind, type), () => sensorTypeRows(readings, type, { types: ctx.sensorTypes, spec: ctx.spec, labels: index, maxRows: ctx.maxRows, features })));
    }
    case "unit_state":
    case "unit_rul": {
      const recipe = recipeOf(kind);
      const has = kind === "unit_state" ? (l: LabelRow) => l.label.startsWith(STATE_LABEL_PREFIX) : (l: LabelRow) => l.label === FAILURE_LABEL;
      const units = new Set(labels.filter(has).map((l) => l.unit));
      if (labelled && units.size === 0) return [{ recipe, error: new VigilError("VIGIL_TRAINING_NO_DATA", `no unit has ${kind === "unit_state" ? "operational state" : "failure"} labels in the training window`) }];
      const target = !labelled ? "none" : kind === "unit_state" ? "state" : "rul";
      return [attempt(recipe, () => unitRows(readings, target, { spec: ctx.spec, labels: index, maxRows: ctx.maxRows, ...(labelled ? { units } : {}) }))];
    }
    case "solar_forecast": {
      const recipe = recipeOf(kind);
      const irradiance = new Set<string>(SOLAR_IRRADIANCE_SENSORS);
      const devices = new Set(readings.filter((r) => irradiance.has(r.sensor)).map((r) => r.unit));
      const power = SOLAR_POWER_SENSORS.find((s) => readings.some((r) => r.sensor === s && devices.has(r.unit)));
      if (power === undefined) return [{ recipe, error: new VigilError("VIGIL_TRAINING_NO_DATA", "no solar device (a unit reporting irradiance and power) in the training window") }];
      return [attempt(recipe, () => unitRows(readings, labelled ? { sensor: power } : "none", { spec: ctx.spec, labels: index, maxRows: ctx.maxRows, units: devices, spread: true }))];
    }
  }
}
