/**
 * What the load generators send: the plant simulator's readings
 * (src/actors/simulator, no scenarios injected — its own trips, maintenance
 * and start-ups only), the same model the baseline anomaly models were
 * trained on, one reading per sensor per second. A load of arbitrary values
 * at wall-clock stamps looked like nothing the models had seen: a sensor
 * read every few milliseconds, its values swinging across their band from
 * one reading to the next; the models flagged 80 % of it, measured.
 *
 * With an event start, readings carry the plant's own time from there on
 * (one second apart per sensor), as a gateway's store-and-forward backlog
 * would: the node takes them as fast as it can, far faster than real time.
 * Without one (a run at a fixed rate, timing each reading from its send),
 * each reading is stamped with its send time.
 */
import { Plant, ReadingGenerator, type SimulatedReading } from "../../src/actors/simulator/index.js";

export interface LoadReading {
  readonly unit: string;
  readonly sensor: string;
  /** The value and the rest of the payload after it, as JSON text: `"value":…,"quality":…,"timestamp":…`. */
  readonly fields: string;
}

export class PlantLoad {
  /** Sensors per unit: the plant's five. */
  static readonly SENSORS = 5;
  private readonly generator: ReadingGenerator;
  private readonly batch: SimulatedReading[] = [];

  /** @param eventStart epoch ms of the first readings' time; undefined: stamp each with its send time */
  constructor(
    units: number,
    private readonly eventStart: number | undefined,
  ) {
    this.generator = new ReadingGenerator(new Plant({ units, recordTruth: false }), { startAt: eventStart ?? Date.now() });
  }

  /** The next `n` readings, unit-major within each second. */
  next(n: number): LoadReading[] {
    this.batch.length = 0;
    const readings = this.generator.nextBatch(n, this.batch);
    const out: LoadReading[] = new Array<LoadReading>(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i] as SimulatedReading;
      const stamp = this.eventStart === undefined ? nowMs().toFixed(3) : String(r.timestamp);
      out[i] = { unit: r.unit, sensor: r.sensor, fields: `"value":${r.value},"quality":"${r.quality}","timestamp":${stamp}` };
    }
    return out;
  }
}

/** Seconds of event time `count` readings of `units` units span (whole seconds, rounded up). */
export function eventSeconds(count: number, units: number): number {
  return Math.ceil(count / (units * PlantLoad.SENSORS));
}

/** Now, in fractional epoch milliseconds: comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
