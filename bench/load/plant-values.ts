/**
 * What the load generators send: the plant simulator's readings
 * (src/actors/simulator: its own trips, maintenance and start-ups, and a
 * scenario on every SCENARIO_EVERY-th unit from SCENARIO_AFTER_MS into the
 * load), the same model the baseline anomaly models were trained on, one
 * reading per sensor per second. The plant records its ground truth (as
 * intervals: a few records per unit, not per reading), which the generators
 * print with their summary, so the bench can say how many of the readings it
 * samples were flagged rightly. A load of arbitrary values
 * at wall-clock stamps looked like nothing the models had seen: a sensor
 * read every few milliseconds, its values swinging across their band from
 * one reading to the next; the models flagged 80 % of it, measured.
 *
 * With an event start, readings carry the plant's own time from there on
 * (one second apart per sensor), as a gateway's store-and-forward backlog
 * would: the node takes them as fast as it can, far faster than real time.
 * Without one (a run at a fixed rate, timing each reading from its send),
 * each reading carries SEND_STAMP, for the sender to overwrite with its send
 * time (prepared.ts).
 */
import { GroundTruth, Plant, PLANT_SENSORS, ReadingGenerator, SeededRandom, type GroundTruthExport, type SimulatedReading } from "../../src/actors/simulator/index.js";
import { SCENARIO_KINDS } from "../../src/actors/simulator/scenarios.js";

/** Every this-many-th unit (the first of each run of them) gets a scenario: 20 of the bench's 200. */
const SCENARIO_EVERY = 10;
/**
 * Into a load's event time, when the scenarios start: after the bench's
 * warm-up load (15 s), which is thus clean. Each load is its own plant, so
 * a measured load's scenarios start (and ramp) within it.
 */
const SCENARIO_AFTER_MS = 20_000;
/** How long each lasts: most of a quick run's 100 s load after it starts; a full run's 500 s load sees it end. */
const SCENARIO_MS = 2 * 60 * 1000;
/** Kinds injected: all but unit_offline, which would only thin the load out. */
const KINDS = SCENARIO_KINDS.filter((k) => k !== "unit_offline");

/** A send-time stamp before it is stamped: fractional epoch ms, as wide as nowMs().toFixed(3) this century. */
export const SEND_STAMP = "9999999999999.999";

export interface LoadReading {
  readonly unit: string;
  readonly sensor: string;
  /** The value and the rest of the payload after it, as JSON text: `"value":…,"quality":…,"timestamp":…`. */
  readonly fields: string;
}

export class PlantLoad {
  /** Sensors per unit: the plant's five. */
  static readonly SENSORS = 5;
  private readonly plant: Plant;
  private readonly generator: ReadingGenerator;
  private readonly batch: SimulatedReading[] = [];

  /** @param eventStart epoch ms of the first readings' time; undefined: SEND_STAMP, for the sender to fill in */
  constructor(
    units: number,
    private readonly eventStart: number | undefined,
  ) {
    const startAt = eventStart ?? Date.now();
    this.plant = new Plant({ units });
    this.generator = new ReadingGenerator(this.plant, { startAt });
    const rng = SeededRandom.stream(1, "bench-scenarios");
    for (let i = 0; i < units; i += SCENARIO_EVERY) {
      const kind = KINDS[rng.int(KINDS.length)]!;
      const sensor = PLANT_SENSORS[rng.int(PLANT_SENSORS.length)]!;
      this.plant.inject({ unit: this.plant.unitIds[i]!, kind, durationMs: SCENARIO_MS, sensor: kind === "sensor_stuck" || kind === "bad_quality" ? sensor : undefined }, startAt + SCENARIO_AFTER_MS);
    }
  }

  /** The truth of the readings made so far (printed with a generator's summary). */
  truth(): GroundTruthExport {
    return this.plant.truth.export();
  }

  /** The next `n` readings, unit-major within each second. */
  next(n: number): LoadReading[] {
    this.batch.length = 0;
    const readings = this.generator.nextBatch(n, this.batch);
    const out: LoadReading[] = new Array<LoadReading>(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i] as SimulatedReading;
      const stamp = this.eventStart === undefined ? SEND_STAMP : String(r.timestamp);
      out[i] = { unit: r.unit, sensor: r.sensor, fields: `"value":${r.value},"quality":"${r.quality}","timestamp":${stamp}` };
    }
    return out;
  }
}

/** The ground truth a generator printed, to label readings with (GroundTruth.at). */
export function truthFrom(exported: GroundTruthExport): GroundTruth {
  const truth = new GroundTruth();
  for (const change of exported.stateChanges) truth.recordState(change);
  for (const scenario of exported.scenarios) truth.recordScenario(scenario);
  return truth;
}

/** Seconds of event time `count` readings of `units` units span (whole seconds, rounded up). */
export function eventSeconds(count: number, units: number): number {
  return Math.ceil(count / (units * PlantLoad.SENSORS));
}

/** Now, in fractional epoch milliseconds: comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
