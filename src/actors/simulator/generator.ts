/**
 * Readings from a simulated plant at a target rate, in batches, with no
 * waiting: the bench and test entry point. Time here is the readings' own
 * (simulated) time: a tick samples every unit once at one instant, and ticks
 * are spaced so that readings arrive at `readingsPerSecond`:
 *
 *   tick interval = units × sensors / readingsPerSecond seconds.
 *
 * Timestamps are whole milliseconds, so above 1,000 ticks/s neighbouring
 * ticks share a timestamp: for high rates, simulate more units rather than
 * more ticks.
 *
 * Batches can end anywhere, even inside a unit; the next batch carries on
 * where the last one stopped, so the readings do not depend on the batch
 * sizes. Nothing is allocated per reading beyond the reading objects.
 *
 * @example
 * const generator = new ReadingGenerator(new Plant({ units: 2_000 }), { startAt: Date.now(), readingsPerSecond: 500_000 });
 * const batch = generator.nextBatch(10_000);
 */
import type { SimulatedPlant } from "./model.js";
import type { SimulatedReading } from "./simulated-reading.js";

/** What the generator samples: a plant, or devices that are not one (the solar farm). */
export type SampledDevices = Pick<SimulatedPlant, "unitIds" | "sensorIds" | "advance" | "read">;

export interface GeneratorOptions {
  /**
   * Epoch ms of the first tick. Use real dates for readings headed into
   * ingest: it reads a numeric timestamp below 1e11 as epoch seconds.
   */
  readonly startAt: number;
  /** Readings per second of simulated time, over all units and sensors. @default one per sensor per second */
  readonly readingsPerSecond?: number;
}

/**
 * How many ticks in a row may pass with every unit offline before `nextBatch`
 * gives up and returns a short batch, instead of spinning through simulated
 * time forever (e.g. every unit offline by scenario).
 */
const MAX_EMPTY_TICKS = 100_000;

export class ReadingGenerator {
  readonly plant: SampledDevices;
  readonly readingsPerSecond: number;
  readonly tickIntervalMs: number;
  private origin: number;
  private tick = 0;
  private tickTs: number;
  /** The next unit to sample in this tick, and the next of its sensors to read (0: not yet sampled). */
  private unit = 0;
  private sensor = 0;
  private count = 0;

  constructor(plant: SampledDevices, options: GeneratorOptions) {
    this.plant = plant;
    const perTick = plant.unitIds.length * plant.sensorIds.length;
    this.readingsPerSecond = options.readingsPerSecond ?? perTick;
    if (!(this.readingsPerSecond > 0) || !Number.isFinite(this.readingsPerSecond)) {
      throw new RangeError(`readingsPerSecond: expected a positive number, got ${this.readingsPerSecond}`);
    }
    this.tickIntervalMs = (perTick * 1000) / this.readingsPerSecond;
    this.origin = options.startAt;
    this.tickTs = options.startAt;
  }

  /** Readings produced so far. */
  get generated(): number {
    return this.count;
  }

  /** The instant of the tick in progress (or the next one to start). */
  get nextTimestamp(): number {
    return this.sensor === 0 && this.unit === this.plant.unitIds.length ? this.tickAt(this.tick + 1) : this.tickTs;
  }

  /**
   * The next `n` readings, appended to `out` (pass a reused array to avoid
   * allocating one per batch). Short only when every unit has been offline
   * for MAX_EMPTY_TICKS ticks.
   */
  nextBatch(n: number, out: SimulatedReading[] = []): SimulatedReading[] {
    return this.fill(out, out.length + n, Number.POSITIVE_INFINITY);
  }

  /** Every reading stamped at or before `ts` not yet produced (at most `max`), appended to `out`. */
  readingsUntil(ts: number, out: SimulatedReading[] = [], max = Number.POSITIVE_INFINITY): SimulatedReading[] {
    return this.fill(out, out.length + max, ts);
  }

  /**
   * Start a fresh tick timeline at `ts` (no earlier than the current tick),
   * dropping what is left of the tick in progress: for a runner that was
   * stopped and is started again later.
   */
  restartAt(ts: number): void {
    this.origin = Math.max(ts, this.tickTs);
    this.tick = 0;
    this.tickTs = this.origin;
    this.unit = 0;
    this.sensor = 0;
  }

  private fill(out: SimulatedReading[], limit: number, until: number): SimulatedReading[] {
    const plant = this.plant;
    const units = plant.unitIds.length;
    const sensors = plant.sensorIds.length;
    let emptyAdvances = 0;
    while (out.length < limit) {
      if (this.sensor === 0) {
        if (this.unit === units) {
          this.tick++;
          this.tickTs = this.tickAt(this.tick);
          this.unit = 0;
        }
        if (this.tickTs > until) break;
        if (!plant.advance(this.unit, this.tickTs)) {
          this.unit++;
          if (++emptyAdvances > units * MAX_EMPTY_TICKS) break;
          continue;
        }
        emptyAdvances = 0;
      }
      out.push(plant.read(this.unit, this.sensor));
      this.count++;
      if (++this.sensor === sensors) {
        this.sensor = 0;
        this.unit++;
      }
    }
    return out;
  }

  private tickAt(tick: number): number {
    return this.origin + Math.floor(tick * this.tickIntervalMs);
  }
}
