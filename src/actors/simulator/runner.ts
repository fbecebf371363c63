/**
 * The paced simulator: on a timer from an injected clock, it takes the
 * readings that have fallen due from a ReadingGenerator and hands them to
 * every publisher. By default each sensor reads once a second; at high rates
 * the timer fires at most every MIN_PERIOD_MS and each batch carries
 * everything due since the last one.
 *
 * Never two batches at once: the next timer is set only once every
 * publisher has taken the current batch, so a slow peer makes the simulation
 * lag (`status().lagMs`) rather than pile readings up. A failing publisher is
 * counted and logged, and the others keep receiving.
 *
 * Solar devices (solar-farm.ts), when given, tick with the plant at the same
 * instants; their readings go to a publisher's `publishDevices` when it has
 * one (MQTT: one multi-field message per device), else to `publish`.
 *
 * This is also the surface the control API drives: status, start, stop,
 * inject and clear scenarios. Optionally it injects random scenarios itself
 * (random-scenarios.ts), so a demo shows anomalies unprompted.
 */
import { pino, type Logger } from "pino";
import type { UnitStatus } from "../readings/index.js";
import { systemClock, VigilError, type Clock, type TimerHandle } from "../../runtime/index.js";
import { ReadingGenerator } from "./generator.js";
import type { GroundTruth } from "./ground-truth.js";
import type { ScenarioTarget, SimulatedPlant, SimulatorMode } from "./model.js";
import type { ReadingPublisher } from "./publishers/publisher.js";
import { RandomScenarios, type RandomScenarioOptions } from "./random-scenarios.js";
import { parseScenarioRequest, type ActiveScenario, type ScenarioRequest } from "./scenarios.js";
import type { SimulatedReading } from "./simulated-reading.js";
import type { SolarFarm } from "./solar-farm.js";

export interface SimulatorRunnerOptions {
  readonly plant: SimulatedPlant;
  readonly publishers: readonly ReadingPublisher[];
  /** @default systemClock */
  readonly clock?: Clock;
  /** @default silent */
  readonly log?: Logger;
  /** Readings per second over all units and sensors. @default one per sensor per second */
  readonly readingsPerSecond?: number;
  /** Most readings in one batch; a runner further behind catches up over several turns. @default 50,000 */
  readonly maxBatch?: number;
  /** Inject random scenarios on a timer while running (plant mode only). @default none */
  readonly randomScenarios?: RandomScenarioOptions;
  /** Solar devices sampled at the plant's instants. @default none */
  readonly solar?: SolarFarm;
}

export interface PublisherStatus {
  readonly name: string;
  /** Readings it took without error. */
  readonly published: number;
  /** Batches it failed. */
  readonly failures: number;
  readonly lastError: string | null;
}

export interface SimulatorStatus {
  readonly running: boolean;
  readonly mode: SimulatorMode;
  readonly units: number;
  readonly sensorsPerUnit: number;
  /** Solar devices (SOLAR001..), each with its own sensors; not counted in `units`. */
  readonly solarDevices: number;
  /** Plant readings per second (solar devices add theirs at the same instants). */
  readonly readingsPerSecond: number;
  /** Readings generated and handed to the publishers so far. */
  readonly generated: number;
  /** How far the simulation's timeline is behind the clock (0 when keeping up). */
  readonly lagMs: number;
  readonly activeScenarios: readonly ActiveScenario[];
  readonly publishers: readonly PublisherStatus[];
}

/** Shortest timer period: at high rates, fewer and bigger batches. */
export const MIN_PERIOD_MS = 10;
export const DEFAULT_MAX_BATCH = 50_000;

interface PublisherState {
  publisher: ReadingPublisher;
  published: number;
  failures: number;
  lastError: string | null;
}

export class SimulatorRunner {
  readonly plant: SimulatedPlant;
  private readonly generator: ReadingGenerator;
  private readonly solar: ReadingGenerator | undefined;
  private readonly publishers: PublisherState[];
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxBatch: number;
  private readonly randomScenarios: RandomScenarios | undefined;
  /** The statuses publishers were last told of, by unit index (undefined: not yet told). */
  private readonly toldStatus: (UnitStatus | undefined)[];
  private readonly wantStatus: boolean;
  private running = false;
  private opened: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;

  constructor(options: SimulatorRunnerOptions) {
    this.plant = options.plant;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? pino({ level: "silent" });
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    const rate = options.readingsPerSecond;
    this.generator = new ReadingGenerator(this.plant, { startAt: this.clock.now(), ...(rate === undefined ? {} : { readingsPerSecond: rate }) });
    // The same tick interval as the plant: the devices read at the plant's instants.
    const ticksPerSecond = 1000 / this.generator.tickIntervalMs;
    this.solar = options.solar === undefined ? undefined : new ReadingGenerator(options.solar, { startAt: this.clock.now(), readingsPerSecond: options.solar.unitIds.length * options.solar.sensorIds.length * ticksPerSecond });
    this.publishers = options.publishers.map((publisher) => ({ publisher, published: 0, failures: 0, lastError: null }));
    this.toldStatus = new Array<UnitStatus | undefined>(this.plant.unitIds.length);
    this.wantStatus = options.publishers.some((p) => p.unitStatus !== undefined);
    if (options.randomScenarios !== undefined && this.plant.mode !== "plant") {
      throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", "random scenarios need plant mode; run-to-failure units wear out on their own");
    }
    this.randomScenarios =
      options.randomScenarios === undefined
        ? undefined
        : new RandomScenarios((request) => this.injectRandom(request), this.plant.unitIds, this.clock, options.randomScenarios);
  }

  get truth(): GroundTruth {
    return this.plant.truth;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Start ticking now (the first readings go out at once). Opens the publishers on the first start. */
  async start(): Promise<void> {
    if (this.closed) throw new Error("simulator runner is closed");
    // A failed open is forgotten, so a later start tries again.
    this.opened ??= this.openPublishers().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    await this.opened;
    if (this.running) return;
    this.running = true;
    this.generator.restartAt(this.clock.now());
    this.solar?.restartAt(this.clock.now());
    this.fire();
    this.randomScenarios?.start();
    this.log.info({ mode: this.plant.mode, units: this.plant.unitIds.length, readingsPerSecond: this.generator.readingsPerSecond }, "simulator started");
  }

  /** Stop ticking; resolves once the batch in flight (if any) has been taken. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.randomScenarios?.stop();
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight;
    this.log.info({ generated: this.generator.generated }, "simulator stopped");
  }

  /** Stop and close the publishers (their connections). */
  async close(): Promise<void> {
    await this.stop();
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.publishers.map(async (p) => p.publisher.close?.()));
  }

  /** Inject a scenario now. `request` is validated (VIGIL_SIMULATOR_BAD_SCENARIO, VIGIL_SIMULATOR_UNKNOWN_UNIT). */
  inject(request: unknown): ActiveScenario {
    const scenario = this.plant.inject(parseScenarioRequest(request), this.clock.now());
    this.log.info({ scenario }, "scenario injected");
    return scenario;
  }

  /** End scenarios now: one by id, or a unit's (of one kind). Returns how many ended. */
  clear(target: ScenarioTarget): number {
    const cleared = this.plant.clear(target, this.clock.now());
    this.log.info({ target, cleared }, "scenarios cleared");
    return cleared;
  }

  private injectRandom(request: ScenarioRequest): void {
    try {
      this.inject(request);
    } catch (err) {
      // A timer callback must not throw; a bad draw is worth a warning, not a crash.
      this.log.warn({ err, request }, "random scenario not injected");
    }
  }

  status(): SimulatorStatus {
    const now = this.clock.now();
    return {
      running: this.running,
      mode: this.plant.mode,
      units: this.plant.unitIds.length,
      sensorsPerUnit: this.plant.sensorIds.length,
      solarDevices: this.solar?.plant.unitIds.length ?? 0,
      readingsPerSecond: this.generator.readingsPerSecond,
      generated: this.generator.generated,
      lagMs: this.running ? Math.max(0, now - this.generator.nextTimestamp) : 0,
      activeScenarios: this.plant.activeScenarios(now),
      publishers: this.publishers.map((p) => ({ name: p.publisher.name, published: p.published, failures: p.failures, lastError: p.lastError })),
    };
  }

  private async openPublishers(): Promise<void> {
    const solar = this.solar?.plant;
    await Promise.all(
      this.publishers.map(async (p) => {
        await p.publisher.open?.(this.plant.unitIds, this.plant.sensorIds);
        if (solar !== undefined) await p.publisher.open?.(solar.unitIds, solar.sensorIds);
      }),
    );
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    const batch = this.generator.readingsUntil(now, [], this.maxBatch);
    const devices = this.solar === undefined ? NONE : this.solar.readingsUntil(now, [], this.maxBatch);
    if (this.wantStatus) this.tellStatusChanges();
    const pending = batch.length === 0 && devices.length === 0 ? undefined : this.publishAll(batch, devices);
    if (pending === undefined) {
      this.scheduleNext();
      return;
    }
    this.inFlight = pending.then(() => {
      this.inFlight = undefined;
      this.scheduleNext();
    });
  }

  private scheduleNext(): void {
    if (!this.running) return;
    const ahead = this.generator.nextTimestamp - this.clock.now();
    // Behind: carry on at once. Ahead: wait for the next tick, but not less than MIN_PERIOD_MS.
    const delay = ahead <= 0 ? 0 : Math.max(MIN_PERIOD_MS, ahead);
    this.timer = this.clock.setTimer(delay, () => this.fire());
  }

  /** A scan over the units per batch (not per reading), only when some publisher wants statuses. */
  private tellStatusChanges(): void {
    for (let i = 0; i < this.toldStatus.length; i++) {
      const status = this.plant.statusOf(i);
      if (status === this.toldStatus[i]) continue;
      this.toldStatus[i] = status;
      const unit = this.plant.unitIds[i]!;
      for (const p of this.publishers) {
        try {
          p.publisher.unitStatus?.(unit, status);
        } catch (err) {
          this.failed(p, err);
        }
      }
    }
  }

  /** Synchronous publishers finish here; a promise is returned only if some publisher is still working. */
  private publishAll(batch: readonly SimulatedReading[], devices: readonly SimulatedReading[]): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    const count = batch.length + devices.length;
    for (const p of this.publishers) {
      try {
        const result = publishTo(p.publisher, batch, devices);
        if (result === undefined) this.succeeded(p, count);
        else (waits ??= []).push(result.then(() => this.succeeded(p, count), (err: unknown) => this.failed(p, err)));
      } catch (err) {
        this.failed(p, err);
      }
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }

  private succeeded(p: PublisherState, count: number): void {
    p.published += count;
    if (p.lastError !== null) this.log.info({ publisher: p.publisher.name }, "simulator publisher recovered");
    p.lastError = null;
  }

  private failed(p: PublisherState, err: unknown): void {
    p.failures++;
    // Log when a publisher starts failing, not on every batch while it keeps failing.
    if (p.lastError === null) this.log.warn({ publisher: p.publisher.name, err }, "simulator publisher failed");
    p.lastError = err instanceof Error ? err.message : String(err);
  }
}

const NONE: readonly SimulatedReading[] = [];

/** Hands one publisher the plant's batch and the devices' readings; a promise only while it is still working. */
function publishTo(publisher: ReadingPublisher, batch: readonly SimulatedReading[], devices: readonly SimulatedReading[]): void | Promise<void> {
  const waits: Promise<void>[] = [];
  try {
    if (batch.length > 0) {
      const result = publisher.publish(batch);
      if (result !== undefined) waits.push(result);
    }
    if (devices.length > 0) {
      const result = publisher.publishDevices === undefined ? publisher.publish(devices) : publisher.publishDevices(devices);
      if (result !== undefined) waits.push(result);
    }
  } catch (err) {
    for (const w of waits) w.catch(() => undefined); // failed as a whole below; the started half must not go unhandled
    throw err;
  }
  return waits.length === 0 ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
}
