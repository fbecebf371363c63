/**
 * The actor system: the one public handle on the runtime. It runs either on
 * the calling thread (workers: 0 — deterministic, used by unit tests and tiny
 * embeds) or across shard worker threads (the default: one per core), with
 * the kinds given to hostHere on the calling thread beside them (here.ts).
 */
import { availableParallelism } from "node:os";
import { pino, type Logger } from "pino";
import type { ActorKind, AskOptions } from "./actor.js";
import type { ActorAddress } from "./address.js";
import { systemClock, type Clock } from "./clock.js";
import { VigilError } from "./errors.js";
import type { RuntimeEvent, RuntimeEventListener } from "./events.js";
import { DEFAULT_RUNTIME, KindRegistry, loadKindModules, type KindStats, type RuntimeDefaults } from "./kind-registry.js";
import { CallingThreadActors } from "./here.js";
import { Shard, type ShardStats } from "./shard.js";
import type { ShardSettings } from "./workers/settings.js";
import { WorkerPool } from "./workers/worker-pool.js";

export interface ActorSystemOptions {
  /** Modules that export `kinds: ActorKind[]`. Needed with workers, which import them on their own thread. */
  kindModules?: string[];
  /** Handed to kind modules that export `createKinds(config)`; must be structured-cloneable. */
  kindConfig?: unknown;
  /** Kinds given directly; only with `workers: 0`, since functions cannot cross into a worker. */
  kinds?: ActorKind[];
  /** Shard worker threads; 0 runs every actor on the calling thread. @default os.availableParallelism() */
  workers?: number;
  log?: Logger;
  /** Only with `workers: 0`: workers always use the system clock. */
  clock?: Clock;
  /** @default 5000 */
  askTimeoutMs?: number;
  /** Checkpoint dirty actors this often; 0 snapshots after every handled message. @default 1000 */
  snapshotIntervalMs?: number;
  /** @default 1000 */
  passivationSweepMs?: number;
  /** Messages to backpressure kinds in flight to one worker before senders are refused. @default 65536 */
  inflightBudget?: number;
  /**
   * Where actors' `publish` calls end up, on the calling thread: a subject
   * and the JSON-encoded payload. The node wires it to its transport.
   * @default discard
   */
  outlet?: (subject: string, json: string) => void;
  /** Policies for kinds that do not declare their own. */
  defaults?: Partial<RuntimeDefaults>;
}

export interface SystemStats {
  workers: number;
  kinds: Record<string, KindStats>;
  shards: ShardStats[];
  /** The actors hosted on the calling thread beside the workers (hostHere); absent when none ever ran. */
  here?: ShardStats;
  /** Messages lost in flight to crashed workers since start. */
  lostInFlight: number;
}

export interface ActorSystem {
  readonly workers: number;
  /** Fire-and-forget. False when refused under backpressure (the message was not taken). */
  tell(to: ActorAddress, message: unknown): boolean;
  ask<R = unknown>(to: ActorAddress, message: unknown, options?: AskOptions): Promise<R>;
  /** Resolves when a refused `tell` to this address is worth retrying. */
  whenWritable(to: ActorAddress): Promise<void>;
  /**
   * Hosts `kinds` on the calling thread (with workers: 0, where every actor
   * is): for actors whose work is this thread's own resources — a client, a
   * job pool, a service — and mostly waiting on them. They are addressed,
   * supervised, snapshotted and counted in `stats` like any other; only this
   * thread and its actors reach them (workers do not know their kinds).
   * VIGIL_CONFIG_INVALID when a kind's name is taken.
   */
  hostHere(kinds: readonly ActorKind[]): void;
  onEvent(listener: RuntimeEventListener): () => void;
  stats(): Promise<SystemStats>;
  /** Passivate every actor (snapshots kept) and end the workers. */
  stop(): Promise<void>;
}

export async function createActorSystem(options: ActorSystemOptions): Promise<ActorSystem> {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 0) {
    throw new VigilError("VIGIL_CONFIG_INVALID", `workers: expected a whole number >= 0, got ${String(workers)}`);
  }
  const log = options.log ?? pino({ level: "info" });
  const defaults: RuntimeDefaults = { ...DEFAULT_RUNTIME, ...options.defaults };
  const settings: ShardSettings = {
    askTimeoutMs: options.askTimeoutMs ?? 5_000,
    snapshotIntervalMs: options.snapshotIntervalMs ?? 1_000,
    passivationSweepMs: options.passivationSweepMs ?? 1_000,
    inflightBudget: options.inflightBudget ?? 65_536,
    defaults,
  };
  const kindModules = options.kindModules ?? [];
  if (workers > 0 && options.kinds !== undefined && options.kinds.length > 0) {
    throw new VigilError("VIGIL_CONFIG_INVALID", "kinds: inline kinds need workers: 0; give kindModules to run them in worker threads");
  }
  if (workers > 0 && options.clock !== undefined) {
    throw new VigilError("VIGIL_CONFIG_INVALID", "clock: a custom clock needs workers: 0");
  }
  const kinds = new KindRegistry([...(options.kinds ?? []), ...(await loadKindModules(kindModules, options.kindConfig))], defaults);
  const events = new EventHub(log);
  const outlet = options.outlet ?? discard;
  if (workers === 0) return new InThreadSystem(kinds, settings, options.clock ?? systemClock, log, events, outlet);
  const emit = (e: RuntimeEvent): void => events.emit(e);
  const pool = await WorkerPool.start({ workers, kindModules, kindConfig: options.kindConfig, kinds, settings, clock: systemClock, log, emit, outlet });
  return new PooledSystem(pool, settings, events, new CallingThreadActors({ kinds, pool, settings, log, emit, outlet }));
}

function discard(): void {}

class EventHub {
  private readonly listeners = new Set<RuntimeEventListener>();

  constructor(private readonly log: Logger) {}

  on(listener: RuntimeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, "runtime event listener threw");
      }
    }
  }
}

class InThreadSystem implements ActorSystem {
  readonly workers = 0;
  private readonly shard: Shard;

  constructor(
    kinds: KindRegistry,
    private readonly settings: ShardSettings,
    clock: Clock,
    log: Logger,
    private readonly events: EventHub,
    outlet: (subject: string, json: string) => void,
  ) {
    this.shard = new Shard({
      index: 0,
      kinds,
      clock,
      log,
      askTimeoutMs: settings.askTimeoutMs,
      snapshotIntervalMs: settings.snapshotIntervalMs,
      passivationSweepMs: settings.passivationSweepMs,
      links: {
        placement: () => 0,
        forward: () => false, // one shard: nothing is elsewhere
        reply: () => undefined,
        publish: outlet,
        settled: () => undefined,
        releaseCredit: () => undefined,
        event: (e) => events.emit(e),
      },
    });
    this.kinds = kinds;
  }

  private readonly kinds: KindRegistry;

  tell(to: ActorAddress, message: unknown): boolean {
    return this.shard.tellFrom(undefined, to, message);
  }

  ask<R>(to: ActorAddress, message: unknown, options?: AskOptions): Promise<R> {
    return this.shard.askFrom<R>(undefined, to, message, { timeoutMs: options?.timeoutMs ?? this.settings.askTimeoutMs });
  }

  async whenWritable(): Promise<void> {
    // One thread: the mailbox drains once we yield.
    await new Promise((resolve) => setImmediate(resolve));
  }

  onEvent(listener: RuntimeEventListener): () => void {
    return this.events.on(listener);
  }

  hostHere(kinds: readonly ActorKind[]): void {
    for (const kind of kinds) this.kinds.add(kind);
  }

  stats(): Promise<SystemStats> {
    const kinds: Record<string, KindStats> = {};
    for (const entry of this.kinds.all()) kinds[entry.name] = { ...entry.stats };
    return Promise.resolve({ workers: 0, kinds, shards: [this.shard.stats()], lostInFlight: 0 });
  }

  stop(): Promise<void> {
    return this.shard.stop();
  }
}

class PooledSystem implements ActorSystem {
  constructor(
    private readonly pool: WorkerPool,
    private readonly settings: ShardSettings,
    private readonly events: EventHub,
    private readonly here: CallingThreadActors,
  ) {}

  get workers(): number {
    return this.pool.workerCount;
  }

  tell(to: ActorAddress, message: unknown): boolean {
    return this.here.hosts(to) ? this.here.tell(to, message) : this.pool.tell(to, message);
  }

  ask<R>(to: ActorAddress, message: unknown, options?: AskOptions): Promise<R> {
    const timeoutMs = options?.timeoutMs ?? this.settings.askTimeoutMs;
    return this.here.hosts(to) ? this.here.ask<R>(to, message, { timeoutMs }) : this.pool.ask<R>(to, message, timeoutMs);
  }

  async whenWritable(to: ActorAddress): Promise<void> {
    if (!this.here.hosts(to)) return this.pool.whenWritable(to);
    // This thread's mailbox drains once we yield.
    await new Promise((resolve) => setImmediate(resolve));
  }

  onEvent(listener: RuntimeEventListener): () => void {
    return this.events.on(listener);
  }

  hostHere(kinds: readonly ActorKind[]): void {
    this.here.add(kinds);
  }

  async stats(): Promise<SystemStats> {
    const { kinds, shards } = await this.pool.stats();
    const here = this.here.stats();
    return { workers: this.pool.workerCount, kinds, shards, ...(here === undefined ? {} : { here }), lostInFlight: this.pool.lostInFlight };
  }

  async stop(): Promise<void> {
    // This thread's actors first: they may still send to the workers as they leave.
    await this.here.stop();
    await this.pool.stop();
  }
}
