/**
 * History as a node fed by the simulator would hold it, without running a
 * node: the simulator's readings as processed-reading rows (unscored: the
 * trainers read only unit, sensor, ts and value) and its ground truth as
 * label rows (truth-labels.ts). Deterministic for a seed. The baseline
 * script and the trainer specs fill a real history store with it.
 */
import { Plant, RandomScenarios, ReadingGenerator, RunToFailureFleet, type ScenarioKind, type SimulatedPlant, type SimulatedReading } from "../simulator/index.js";
import type { Clock } from "../../runtime/index.js";
import type { LabelRow, ProcessedReadingRow } from "../../store/index.js";
import { TruthLabeller } from "./truth-labels.js";

export interface SimulatedHistoryOptions {
  readonly mode: "plant" | "run-to-failure";
  readonly units: number;
  readonly seed: number;
  /** Epoch ms of the first reading. */
  readonly startAt: number;
  /** Simulated time covered. */
  readonly durationMs: number;
  /** Every sensor reads once per interval (run-to-failure: one cycle per interval). */
  readonly intervalMs: number;
  /**
   * Plant mode: a fault scenario every this often, on the units in turn,
   * kinds in turn, the first after the units' start-up. With `slices`,
   * every this often within each kept part, from `faultLeadMs` into it,
   * each over before the part ends: the faults are in the readings kept,
   * not in the ones dropped.
   * @default none
   */
  readonly faultEveryMs?: number;
  /** With `slices`: how far into each kept part its first fault starts (its windows fill with normal running first). @default 30 seconds */
  readonly faultLeadMs?: number;
  /** How long each injected fault lasts. @default 2 minutes */
  readonly faultMs?: number;
  /** Plant mode: unplanned trips per unit per day (the simulator's default is rare). @default 2 */
  readonly tripsPerDay?: number;
  /**
   * Plant mode: random scenarios as `npm start`'s simulator injects them
   * (simulator.scenarioEveryMs; the first after 10 s, random unit, kind and
   * length, from the seed's stream). @default none
   */
  readonly randomScenarioEveryMs?: number;
  /**
   * Keep only the readings of the first `keepMs` of every `everyMs` (the
   * plant runs on in between): a day's hours at the live rate without a
   * day's readings. @default every reading
   */
  readonly slices?: { readonly everyMs: number; readonly keepMs: number };
}

export interface SimulatedHistory {
  readonly readings: ProcessedReadingRow[];
  readonly labels: LabelRow[];
  readonly units: readonly string[];
  readonly sensors: readonly string[];
}

/** The faults injected, in turn: the unit's own faults and a slow degradation, which the models must tell from normal running. */
const FAULTS: readonly ScenarioKind[] = ["high_temperature", "pressure_drop", "degradation", "sensor_stuck"];
const MINUTE_MS = 60 * 1000;
/** No fault before the units have started up. */
const STARTUP_MS = 6 * MINUTE_MS;

export function simulatedHistory(o: SimulatedHistoryOptions): SimulatedHistory {
  const plant: SimulatedPlant =
    o.mode === "plant"
      ? new Plant({ units: o.units, seed: o.seed, behaviour: { tripsPerDay: o.tripsPerDay ?? 2 } })
      : new RunToFailureFleet({ units: o.units, seed: o.seed });
  const until = o.startAt + o.durationMs;
  if (o.mode === "plant" && o.faultEveryMs !== undefined && o.faultEveryMs > 0) {
    const faultMs = o.faultMs ?? 2 * MINUTE_MS;
    faultTimes(o, o.faultEveryMs, faultMs).forEach((at, k) => {
      plant.inject({ unit: plant.unitIds[k % o.units] as string, kind: FAULTS[k % FAULTS.length] as ScenarioKind, durationMs: faultMs }, at);
    });
  }
  if (o.mode === "plant" && o.randomScenarioEveryMs !== undefined && o.randomScenarioEveryMs > 0) injectRandomScenarios(plant as Plant, o.seed, o.startAt, until, o.randomScenarioEveryMs);
  const perTick = plant.unitIds.length * plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt: o.startAt, readingsPerSecond: (perTick * 1000) / o.intervalMs });
  let readings: ProcessedReadingRow[] = [];
  if (o.slices === undefined) readings = generator.readingsUntil(until - 1).map(processedRowOf);
  else {
    const { everyMs, keepMs } = o.slices;
    const dropped: SimulatedReading[] = [];
    for (let from = o.startAt; from < until; from += everyMs) {
      for (const r of generator.readingsUntil(Math.min(from + keepMs, until) - 1)) readings.push(processedRowOf(r));
      // The time between slices is simulated (states, trips, scenarios go on) and its readings dropped, a minute at a time.
      const next = Math.min(from + everyMs, until);
      for (let t = from + keepMs; t < next; t += MINUTE_MS) {
        dropped.length = 0;
        generator.readingsUntil(Math.min(t + MINUTE_MS, next) - 1, dropped);
      }
    }
  }
  // The history ends at `until`: spans still open there (a unit that kept its state) are labelled up to it.
  const labels = new TruthLabeller(plant.truth, o.intervalMs).close(until);
  return { readings, labels, units: plant.unitIds, sensors: plant.sensorIds };
}

/** When the injected faults start: after the units' start-up, each over before the end (with slices, before its kept part's end). */
function faultTimes(o: SimulatedHistoryOptions, everyMs: number, faultMs: number): number[] {
  const first = o.startAt + STARTUP_MS;
  const until = o.startAt + o.durationMs;
  const out: number[] = [];
  if (o.slices === undefined) {
    for (let at = first; at + faultMs < until; at += everyMs) out.push(at);
    return out;
  }
  const lead = o.faultLeadMs ?? 30 * 1000;
  for (let from = o.startAt; from < until; from += o.slices.everyMs) {
    const end = Math.min(from + o.slices.keepMs, until);
    for (let at = from + lead; at + faultMs < end; at += everyMs) if (at >= first) out.push(at);
  }
  return out;
}

/** The schedule RandomScenarios keeps on a node's clock, laid out ahead on the simulated one. */
function injectRandomScenarios(plant: Plant, seed: number, from: number, until: number, everyMs: number): void {
  const clock: Clock = { now: () => from, setTimer: () => ({ cancel: () => undefined }) };
  const random = new RandomScenarios(() => undefined, plant.unitIds, clock, { everyMs, seed });
  for (let at = from + Math.min(everyMs, 10_000); at < until; at += everyMs) {
    try {
      plant.inject(random.next(), at);
    } catch {
      // A draw the plant refuses is skipped, as the node's simulator does (it logs a warning).
    }
  }
}

/** A simulated reading as history holds it once processed (unscored). */
export function processedRowOf(r: SimulatedReading): ProcessedReadingRow {
  return {
    unit: r.unit,
    sensor: r.sensor,
    ts: r.timestamp,
    value: r.value,
    quality: r.quality,
    source: "simulator",
    receivedAt: r.timestamp,
    anomaly: false,
    score: 0,
    severity: null,
    category: null,
    method: "RULES",
    modelVersion: null,
    reasons: [],
    processedAt: r.timestamp,
  };
}
