/**
 * Scenarios injected at random on a timer, so a demo plant shows anomalies
 * without anyone injecting them: one every `everyMs` (the first soon after
 * start), on a random unit, of a random kind, lasting 30 seconds to 3
 * minutes. Random from a seeded stream, on an injected clock: a run with a
 * simulated clock is repeatable, and the ground truth records each one like
 * any other scenario.
 */
import type { Clock, TimerHandle } from "../../runtime/index.js";
import { PLANT_SENSORS } from "./plant-sensors.js";
import { SeededRandom } from "./random.js";
import { SCENARIO_KINDS, type ScenarioRequest } from "./scenarios.js";

export interface RandomScenarioOptions {
  /** Time between injections. */
  readonly everyMs: number;
  /** Delay before the first. @default min(everyMs, 10 seconds) */
  readonly firstAfterMs?: number;
  /** @default 1 */
  readonly seed?: number;
}

const MIN_DURATION_MS = 30 * 1000; // 30 seconds
const MAX_DURATION_MS = 3 * 60 * 1000; // 3 minutes
const FIRST_AFTER_MS = 10 * 1000; // 10 seconds: a new user sees an anomaly quickly

export class RandomScenarios {
  private readonly rng: SeededRandom;
  private timer: TimerHandle | undefined;
  private injected = false;

  constructor(
    private readonly inject: (request: ScenarioRequest) => void,
    private readonly units: readonly string[],
    private readonly clock: Clock,
    private readonly options: RandomScenarioOptions,
  ) {
    if (!(options.everyMs > 0)) throw new RangeError(`everyMs: expected a positive number of milliseconds, got ${options.everyMs}`);
    this.rng = SeededRandom.stream(options.seed ?? 1, "random-scenarios");
  }

  start(): void {
    if (this.timer !== undefined) return;
    // After a restart the schedule carries on at the normal pace.
    const first = this.injected ? this.options.everyMs : (this.options.firstAfterMs ?? Math.min(this.options.everyMs, FIRST_AFTER_MS));
    this.timer = this.clock.setTimer(first, () => this.fire());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** The next request, drawn from the seeded stream. */
  next(): ScenarioRequest {
    const rng = this.rng;
    const kind = SCENARIO_KINDS[rng.int(SCENARIO_KINDS.length)]!;
    const unit = this.units[rng.int(this.units.length)]!;
    const durationMs = Math.round(rng.between(MIN_DURATION_MS, MAX_DURATION_MS));
    const sensor = PLANT_SENSORS[rng.int(PLANT_SENSORS.length)]!;
    // One sensor for the instrument faults; the unit's own faults pick their sensors themselves.
    return kind === "sensor_stuck" || kind === "bad_quality" ? { unit, kind, durationMs, sensor } : { unit, kind, durationMs };
  }

  private fire(): void {
    this.injected = true;
    this.inject(this.next());
    this.timer = this.clock.setTimer(this.options.everyMs, () => this.fire());
  }
}
