/**
 * The `sensor` actor kind: address `sensor/<unit>/<sensor>`, partitioned by
 * unit so a unit's sensors and its unit actor share a shard worker.
 */
import { featureNames, windowNames, type FeatureSpec, type WorkerModels } from "../../ml/index.js";
import { UNIT_MODELS } from "../models/names.js";
import { RuleBook } from "../../rules/index.js";
import { defineActorKind, VigilError, type ActorKind } from "../../runtime/index.js";
import { readingCodec, unitAddress } from "../readings/index.js";
import { SensorActor, type SensorModels, type SensorState } from "./actor.js";
import type { SensorMessage } from "./messages.js";
import type { ScorerFactory } from "./scorer.js";
import { sensorTypeOf, type SensorTypeSpec } from "./sensor-types.js";
import { featureSpecOf, type SensorSettings } from "./settings.js";
import { statisticalScorer } from "./statistical-scorer.js";

export interface SensorKindOptions {
  settings: SensorSettings;
  sensorTypes: Readonly<Record<string, SensorTypeSpec>>;
  /** @default the statistical scorer */
  scorer?: ScorerFactory;
  /** The worker's alarm rules. @default none */
  rules?: RuleBook;
  /** The worker's models: sensors of a type with an anomaly model in Production score with it. @default none (the scorer alone) */
  models?: WorkerModels;
}

export function sensorKind(options: SensorKindOptions): ActorKind<SensorMessage, SensorState> {
  const { settings, sensorTypes } = options;
  const makeScorer = options.scorer ?? statisticalScorer;
  const rules = options.rules ?? new RuleBook();
  const names = windowNames(featureSpecOf(settings));
  const models: SensorModels | undefined = options.models === undefined ? undefined : sensorModels(options.models, featureSpecOf(settings));
  const baseline = baselineWindow(settings, names);
  // The longest window: count windows come first, time windows last.
  const driftWindow = settings.windows.durationsMs.length > 0
    ? settings.windows.counts.length + indexOfMax(settings.windows.durationsMs)
    : indexOfMax(settings.windows.counts);
  return defineActorKind<SensorMessage, SensorState>({
    name: "sensor",
    partitionKey: unitOf,
    parent: (id) => unitAddress(unitOf(id)),
    // Readings cross from ingest on the main thread to the workers in columns.
    codec: readingCodec,
    // Readings it had not published when its worker died are in its snapshot: publish them now, not at its next reading.
    activateAfterCrash: (latest) => ((latest as Partial<SensorState> | undefined)?.waiting?.length ?? 0) > 0,
    create(id) {
      const slash = id.indexOf("/");
      if (slash <= 0 || slash === id.length - 1) throw new VigilError("VIGIL_ADDRESS_INVALID", `sensor id "${id}" is not <unit>/<sensor>`);
      const unit = id.slice(0, slash);
      const sensor = id.slice(slash + 1);
      const type = sensorTypeOf(sensorTypes, sensor);
      const scorer = makeScorer({ unit, sensor, type: type?.spec, settings, baseline });
      return new SensorActor({ unit, sensor, type, settings, scorer, driftWindow, baselineWindow: baseline, rules, ...(models === undefined ? {} : { models }) });
    },
  });
}

function sensorModels(models: WorkerModels, spec: FeatureSpec): SensorModels {
  const names = featureNames(spec);
  // Asked once per update to a unit: recomputed only when the worker's models change.
  let unitWants = false;
  const refresh = (): void => {
    unitWants = UNIT_MODELS.some((name) => models.get(name) !== undefined);
  };
  models.onChange(refresh);
  refresh();
  return { models, names, unitWantsFeatures: () => unitWants };
}

function unitOf(id: string): string {
  const slash = id.indexOf("/");
  return slash < 0 ? id : id.slice(0, slash);
}

/** The baseline window's index: as configured by name, else the largest count window, else the longest time window. */
function baselineWindow(settings: SensorSettings, names: readonly string[]): number {
  const wanted = settings.scoring.baseline;
  if (wanted !== undefined) {
    const i = names.indexOf(wanted);
    if (i < 0) throw new VigilError("VIGIL_CONFIG_INVALID", `sensor actor settings: scoring.baseline: expected one of ${names.join(", ")}, got "${wanted}"`);
    return i;
  }
  const { counts, durationsMs } = settings.windows;
  return counts.length > 0 ? indexOfMax(counts) : counts.length + indexOfMax(durationsMs);
}

function indexOfMax(xs: readonly number[]): number {
  let best = 0;
  xs.forEach((x, i) => {
    if (x > (xs[best] as number)) best = i;
  });
  return best;
}
