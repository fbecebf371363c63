/**
 * A unit's models: operational state with its class probabilities
 * (`unit_state`), remaining useful life in hours (`unit_rul`) and, for a
 * solar device, its power forecast (`solar_forecast`). Rows are built from
 * the latest rolling features each sensor sent the unit (SensorUpdate.
 * features) by the model's own column names (names.ts), handed to the
 * worker's micro-batchers, and the answers come back together as one round.
 * One round is in flight per unit; a change meanwhile asks for one more
 * round after it, with the newest state: unit states are published on
 * change, so coalescing loses nothing a subscriber would see. While a
 * sensor a model reads is still warming up (FeatureSpec.minSamples), that
 * model takes no row (counted `warming_up`): the rules assess the unit.
 *
 * Health from RUL: min(1, RUL hours / healthyRulHours), two decimals — a
 * unit with at least that much life left is fully healthy, one at its end
 * is at 0.
 */
import type { OperationalState } from "../readings/index.js";
import { TIME_FEATURES, UNIT_FEATURES, writeTimeFeatures, type LoadedModel, type ScoreSink, type WorkerModels } from "../../ml/index.js";
import { SOLAR_FORECAST_MODEL, UNIT_RUL_MODEL, UNIT_STATE_MODEL } from "../models/names.js";
import { powerKwOf, rulOf, unitStateOf } from "../models/outputs.js";
import type { SensorEntry } from "./assessor.js";

/** One column of a unit model's row. */
type Column =
  | { readonly kind: "time"; readonly at: number }
  | { readonly kind: "unit"; readonly at: number }
  | { readonly kind: "feature"; readonly sensor: string; readonly at: number }
  | { readonly kind: "value"; readonly sensor: string };

interface Plan {
  readonly columns: readonly Column[];
  /** The sensors the row reads: the cross-sensor features are over them. */
  readonly sensors: readonly string[];
}

/** What every unit actor of a worker shares: the models, the sensors' feature names, plans and scratch rows. */
export class UnitModelsShared {
  private readonly plans = new WeakMap<LoadedModel, Plan | null>();
  private readonly rows = new Map<number, Float64Array>();
  private readonly index: ReadonlyMap<string, number>;
  /** Index in a sensor's features of the z-score the cross-sensor features use (10-sample window, else the first). */
  private readonly zAt: number;

  constructor(
    readonly models: WorkerModels,
    /** A sensor's rolling feature names (featureNames of the sensors' spec). */
    readonly sensorFeatures: readonly string[],
    readonly healthyRulHours: number,
  ) {
    this.index = new Map(sensorFeatures.map((n, i) => [n, i]));
    const ten = sensorFeatures.indexOf("c10_zscore");
    this.zAt = ten >= 0 ? ten : sensorFeatures.findIndex((n) => n.endsWith("_zscore"));
  }

  /** The model's columns as references into a unit's sensors; null when a name is not one the unit can build. */
  planOf(model: LoadedModel): Plan | null {
    let plan = this.plans.get(model);
    if (plan === undefined) {
      plan = this.parse(model.features);
      this.plans.set(model, plan);
    }
    return plan;
  }

  /**
   * Writes the row of `plan` at instant `ts` from the unit's sensors into a
   * shared scratch row; instead, why not: a sensor it needs has not reported
   * its features, or is still warming up (its windows near-empty, like no
   * training row).
   */
  row(plan: Plan, sensors: ReadonlyMap<string, SensorEntry>, ts: number): Float64Array | "features_missing" | "warming_up" {
    const width = plan.columns.length;
    let row = this.rows.get(width);
    if (row === undefined) this.rows.set(width, (row = new Float64Array(width)));
    const time = TIME_SCRATCH;
    writeTimeFeatures(ts, time, 0);
    let zSum = 0;
    let zMax = 0;
    for (const name of plan.sensors) {
      const s = sensors.get(name);
      const f = s?.features;
      if (f === undefined || f === null) return "features_missing";
      if (s?.warm === false) return "warming_up";
      const z = this.zAt >= 0 ? (f[this.zAt] as number) : 0;
      zSum += z;
      zMax = Math.max(zMax, Math.abs(z));
    }
    const unit = [plan.sensors.length === 0 ? 0 : zSum / plan.sensors.length, zMax];
    for (let j = 0; j < width; j++) {
      const c = plan.columns[j] as Column;
      switch (c.kind) {
        case "time":
          row[j] = time[c.at] as number;
          break;
        case "unit":
          row[j] = unit[c.at] as number;
          break;
        case "feature":
          row[j] = (sensors.get(c.sensor)?.features as Float64Array)[c.at] as number;
          break;
        case "value": {
          const s = sensors.get(c.sensor);
          if (s === undefined) return "features_missing";
          row[j] = s.value;
          break;
        }
      }
    }
    return row;
  }

  private parse(names: readonly string[]): Plan | null {
    const columns: Column[] = [];
    const sensors = new Set<string>();
    for (const name of names) {
      const time = (TIME_FEATURES as readonly string[]).indexOf(name);
      const unit = (UNIT_FEATURES as readonly string[]).indexOf(name);
      if (time >= 0) columns.push({ kind: "time", at: time });
      else if (unit >= 0) columns.push({ kind: "unit", at: unit });
      else {
        const dot = name.indexOf(".");
        if (dot < 0) {
          columns.push({ kind: "value", sensor: name });
          continue;
        }
        const at = this.index.get(name.slice(dot + 1));
        if (dot === 0 || at === undefined) return null;
        const sensor = name.slice(0, dot);
        sensors.add(sensor);
        columns.push({ kind: "feature", sensor, at });
      }
    }
    return { columns, sensors: [...sensors] };
  }
}

const TIME_SCRATCH = new Float64Array(TIME_FEATURES.length);

/** The latest model answers for one unit. */
export interface UnitModelResult {
  /** From `unit_state`: null when it did not score this round. */
  state: OperationalState | null;
  probabilities: Record<OperationalState, number> | null;
  stateVersion: string | null;
  /** From `unit_rul`. */
  rulHours: number | null;
  health: number | null;
  rulVersion: string | null;
  /** From `solar_forecast`: kW. */
  forecastKw: number | null;
  forecastVersion: string | null;
  /** The instant the round's rows were built at. */
  ts: number;
}

const SLOTS = [UNIT_STATE_MODEL, UNIT_RUL_MODEL, SOLAR_FORECAST_MODEL] as const;

export class UnitModelScoring implements ScoreSink<LoadedModel> {
  readonly result: UnitModelResult = { state: null, probabilities: null, stateVersion: null, rulHours: null, health: null, rulVersion: null, forecastKw: null, forecastVersion: null, ts: 0 };
  private round = 0;
  private outstanding = 0;
  private again = false;

  constructor(
    private readonly shared: UnitModelsShared,
    /** Called when a round's answers are all in (result updated). */
    private readonly done: () => void,
  ) {}

  /** Whether the worker has any unit-level model now. */
  get active(): boolean {
    const m = this.shared.models;
    return m.get(UNIT_STATE_MODEL) !== undefined || m.get(UNIT_RUL_MODEL) !== undefined || m.get(SOLAR_FORECAST_MODEL) !== undefined;
  }

  /** A round is in flight. */
  get busy(): boolean {
    return this.outstanding > 0;
  }

  /**
   * Scores the unit's current state with every unit model that can read it.
   * Returns false when none took a row (the caller goes on with the rules);
   * while a round is in flight, asks for another after it and returns true.
   */
  start(sensors: ReadonlyMap<string, SensorEntry>, ts: number): boolean {
    if (this.outstanding > 0) {
      this.again = true;
      return true;
    }
    const r = this.result;
    r.state = null;
    r.probabilities = null;
    r.stateVersion = null;
    r.rulHours = null;
    r.health = null;
    r.rulVersion = null;
    r.forecastKw = null;
    r.forecastVersion = null;
    r.ts = ts;
    const tag = ++this.round;
    const models = this.shared.models;
    for (const name of SLOTS) {
      const model = models.get(name);
      if (model === undefined) {
        if (name !== SOLAR_FORECAST_MODEL) models.countFallback(name, "no_model");
        continue;
      }
      const plan = this.shared.planOf(model);
      const row = plan === null ? "features_missing" : this.shared.row(plan, sensors, ts);
      if (typeof row === "string") {
        // A plant unit has no solar fields: not a fallback, the forecast is not its model.
        if (name !== SOLAR_FORECAST_MODEL) models.countFallback(name, row);
        continue;
      }
      if (!model.batcher.add(row, null, this, tag)) {
        models.countFallback(name, "overloaded");
        continue;
      }
      this.outstanding++;
    }
    return this.outstanding > 0;
  }

  scored(tag: number, out: Float32Array, at: number, model: LoadedModel): void {
    if (tag !== this.round) return;
    const r = this.result;
    if (model.name === UNIT_STATE_MODEL) {
      const { state, probabilities } = unitStateOf(out, at, model.outputWidth);
      r.state = state;
      r.probabilities = probabilities;
      r.stateVersion = model.label;
    } else if (model.name === UNIT_RUL_MODEL) {
      const { rulHours, health } = rulOf(out[at] as number, this.shared.healthyRulHours);
      r.rulHours = rulHours;
      r.health = health;
      r.rulVersion = model.label;
    } else {
      r.forecastKw = powerKwOf(out[at] as number);
      r.forecastVersion = model.label;
    }
    this.settle();
  }

  failed(tag: number, model: LoadedModel, error: Error): void {
    if (tag !== this.round) return;
    this.shared.models.noteFailure(model, error);
    this.shared.models.countFallback(model.name, "failed");
    this.settle();
  }

  /** The sensors a new round should be built from; set by the actor before `done` asks again. */
  private settle(): void {
    if (--this.outstanding > 0) return;
    this.done();
    if (this.again) {
      this.again = false;
      this.wantAgain?.();
    }
  }

  /** How the actor starts the coalesced next round (it knows the sensors and the time). */
  wantAgain: (() => void) | undefined;
}
