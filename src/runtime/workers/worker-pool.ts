/**
 * The main thread's side of the shard workers: spawns one worker per shard,
 * wires a MessageChannel between every pair of workers (so cross-worker
 * messages never pass through main), routes what main sends, keeps the
 * replicated snapshots, and replaces a worker that dies.
 *
 * A worker crash loses the messages in flight to it; they are counted
 * exactly (posted - settled, see counters.ts), asks to it are rejected with
 * VIGIL_WORKER_CRASHED, and its actors come back from their last replicated
 * snapshots. Main holds messages for a restarting worker (up to the in-flight
 * budget) and delivers them to the replacement.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { ActorAddress } from "../address.js";
import { AskTable } from "../ask-table.js";
import type { Clock } from "../clock.js";
import { CREDIT_BUDGETED, CREDIT_REMOTE, MAIN_ENDPOINT, type Envelope, type Reply } from "../envelope.js";
import { VigilError, deserializeError, serializeError, type SerializedError, type VigilErrorCode } from "../errors.js";
import type { RuntimeEvent } from "../events.js";
import { emptyKindStats, type KindEntry, type KindRegistry, type KindStats } from "../kind-registry.js";
import { shardOf } from "../placement.js";
import type { ShardStats } from "../shard.js";
import { BoundedMemo } from "../bounded-memo.js";
import { WorkerCounters } from "./counters.js";
import { Outbox, receivePublications, type ReceivedAddresses } from "./outbox.js";
import type { Batch, FromWorker, ToWorker, WorkerInit } from "./protocol.js";
import type { ShardSettings } from "./settings.js";
import { SlabIndex } from "./snapshot-slabs.js";

export interface WorkerPoolOptions {
  workers: number;
  kindModules: string[];
  kindConfig: unknown;
  kinds: KindRegistry;
  settings: ShardSettings;
  clock: Clock;
  log: Logger;
  emit(event: RuntimeEvent): void;
  outlet(subject: string, json: string): void;
  /** Worker replacements allowed within `withinMs` before the pool gives a worker up. */
  maxWorkerRestarts?: number;
  workerRestartWithinMs?: number;
}

interface Slot {
  worker: Worker | null;
  outbox: Outbox | null;
  /** Messages from main held while the worker restarts. */
  held: Envelope[];
  restarts: number[];
  lastError: SerializedError | undefined;
  givenUp: boolean;
}

const WORKER_ENTRY = workerEntry();

/** An address's kind and the worker hosting it: fixed for the pool's life (the worker count does not change). */
interface Route {
  readonly entry: KindEntry;
  readonly worker: number;
}

/** Routes remembered before the cache starts afresh (it bounds memory on a node that meets ever new addresses). */
const MAX_ROUTES = 65_536;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly counters: WorkerCounters;
  /** Each worker's snapshots, as the slabs it posted. */
  private readonly snapshots: SlabIndex[];
  private readonly asks: AskTable;
  private readonly statsWaiters = new Map<number, (m: Extract<FromWorker, { t: "stats" }>) => void>();
  private readonly ackWaiters = new Map<number, Set<number>>();
  private nextStatsId = 1;
  /** Every message main sends is routed; a map lookup is cheaper than parsing and hashing its address each time. */
  private readonly routes = new BoundedMemo<ActorAddress, Route>(MAX_ROUTES);
  private stopping = false;
  lostInFlight = 0;

  private constructor(private readonly o: WorkerPoolOptions) {
    this.counters = WorkerCounters.create(o.workers);
    this.snapshots = Array.from({ length: o.workers }, () => new SlabIndex());
    this.asks = new AskTable(o.clock);
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    for (let i = 0; i < options.workers; i++) {
      pool.slots.push({ worker: null, outbox: null, held: [], restarts: [], lastError: undefined, givenUp: false });
    }
    const readies = pool.slots.map((_, i) => pool.launch(i));
    for (let i = 0; i < options.workers; i++) for (let j = i + 1; j < options.workers; j++) pool.wire(i, j);
    await Promise.all(readies);
    for (let i = 0; i < options.workers; i++) pool.open(i);
    return pool;
  }

  get workerCount(): number {
    return this.slots.length;
  }

  /** The worker index hosting an address (or -1 for an unknown kind). */
  placement(address: ActorAddress): number {
    return this.route(address)?.worker ?? -1;
  }

  private route(address: ActorAddress): Route | undefined {
    let route = this.routes.get(address);
    if (route === undefined) {
      const entry = this.o.kinds.forAddress(address);
      if (entry === undefined) return undefined; // not remembered: a kind may yet be added (hostHere)
      route = { entry, worker: shardOf(entry, address, this.slots.length) };
      this.routes.set(address, route);
    }
    return route;
  }

  tell(to: ActorAddress, msg: unknown): boolean {
    return this.send({ to, msg, from: undefined, ask: 0, origin: MAIN_ENDPOINT, credit: CREDIT_REMOTE });
  }

  ask<R>(to: ActorAddress, msg: unknown, timeoutMs: number): Promise<R> {
    const { id, promise } = this.asks.create<R>(to, timeoutMs, this.placement(to));
    const accepted = this.send({ to, msg, from: undefined, ask: id, origin: MAIN_ENDPOINT, credit: CREDIT_REMOTE });
    if (!accepted) this.asks.reject(id, new VigilError("VIGIL_MAILBOX_FULL", `${to} refused the ask: its worker is at its in-flight budget`));
    return promise;
  }

  async whenWritable(to: ActorAddress): Promise<void> {
    const w = this.placement(to);
    if (w >= 0) await this.counters.waitBelow(w, this.o.settings.inflightBudget);
  }

  inflight(worker: number): number {
    return this.counters.inflight(worker);
  }

  /** Stats from every live worker, summed per kind. */
  async stats(): Promise<{ kinds: Record<string, KindStats>; shards: ShardStats[] }> {
    const replies = await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<Extract<FromWorker, { t: "stats" }> | undefined>((resolve) => {
            if (slot.worker === null) return resolve(undefined);
            const id = this.nextStatsId++;
            this.statsWaiters.set(id, resolve);
            slot.worker.postMessage({ t: "stats", id } satisfies ToWorker);
          }),
      ),
    );
    // Refusals at the pool (a worker at its in-flight budget) are counted on
    // main's own registry; everything else by the workers.
    const kinds: Record<string, KindStats> = {};
    for (const entry of this.o.kinds.all()) kinds[entry.name] = { ...entry.stats };
    const shards: ShardStats[] = [];
    for (const r of replies) {
      if (r === undefined) continue;
      shards.push(r.shard);
      for (const [name, s] of Object.entries(r.kinds)) {
        const sum = (kinds[name] ??= emptyKindStats());
        for (const key of Object.keys(s) as (keyof KindStats)[]) sum[key] += s[key];
      }
    }
    return { kinds, shards };
  }

  /** For tests and operators: end a worker as a crash would. */
  async terminateWorker(index: number): Promise<void> {
    await this.slots[index]?.worker?.terminate();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        if (worker === null) return;
        slot.outbox?.flush();
        const stopped = new Promise<void>((resolve) => {
          worker.on("message", (m: FromWorker) => m.t === "stopped" && resolve());
          worker.once("exit", () => resolve());
        });
        worker.postMessage({ t: "stop" } satisfies ToWorker);
        await stopped;
        await worker.terminate();
      }),
    );
    this.asks.rejectAll(new VigilError("VIGIL_SYSTEM_STOPPED", "the actor system stopped"));
  }

  // ---- sending ------------------------------------------------------------

  private send(env: Envelope): boolean {
    if (this.stopping) {
      // The workers are ending or gone: a post would vanish and an ask wait out its timeout.
      this.deadLetter(env, "VIGIL_SYSTEM_STOPPED", "the actor system stopped");
      return false;
    }
    const route = this.route(env.to);
    if (route === undefined) {
      this.deadLetter(env, "VIGIL_UNKNOWN_ACTOR_KIND", `no actor kind for address "${env.to}"`);
      return false;
    }
    const { entry, worker: w } = route;
    const slot = this.slots[w] as Slot;
    if (slot.givenUp) {
      this.deadLetter(env, "VIGIL_WORKER_CRASHED", `worker ${w} kept crashing and was given up`);
      return false;
    }
    const budget = this.o.settings.inflightBudget;
    if (slot.outbox === null) {
      if (slot.held.length >= budget) {
        entry.stats.refused++;
        return false;
      }
      slot.held.push(env);
      return true;
    }
    if (entry.mailbox.overflow === "backpressure") {
      if (!this.counters.tryAcquire(w, 1, budget)) {
        entry.stats.refused++;
        return false;
      }
      env.credit = CREDIT_BUDGETED;
    }
    slot.outbox.envelope(env, entry);
    return true;
  }

  private deadLetter(env: Envelope, code: VigilErrorCode, reason: string): void {
    this.o.emit({ type: "dead-letter", address: env.to, code, reason });
    if (env.ask !== 0) this.asks.reject(env.ask, new VigilError(code, reason));
  }

  // ---- receiving ----------------------------------------------------------

  private onMessage(index: number, m: FromWorker, subjects: ReceivedAddresses): void {
    switch (m.t) {
      case "batch":
        this.onBatch(index, m, subjects);
        return;
      case "stats": {
        const waiter = this.statsWaiters.get(m.id);
        this.statsWaiters.delete(m.id);
        waiter?.(m);
        return;
      }
      case "peer-down-ack":
        this.ackWaiters.get(m.index)?.delete(index);
        return;
      case "fatal":
        (this.slots[index] as Slot).lastError = m.error;
        return;
      case "ready":
      case "stopped":
        return;
    }
  }

  /** @param subjects the publication subjects this worker (this launch of it) named so far */
  private onBatch(index: number, b: Batch, subjects: ReceivedAddresses): void {
    if (b.r !== undefined) for (const reply of b.r) this.settle(reply);
    if (b.s !== undefined) (this.snapshots[index] as SlabIndex).apply(b.s);
    if (b.ev !== undefined) for (const event of b.ev) this.o.emit(event);
    receivePublications(b, subjects, (subject, json) => this.o.outlet(subject, json));
  }

  private settle(reply: Reply): void {
    if (reply.ok) this.asks.resolve(reply.ask, reply.value);
    else this.asks.reject(reply.ask, reply.error === undefined ? new Error("ask failed") : deserializeError(reply.error));
  }

  // ---- lifecycle ----------------------------------------------------------

  /** Start a worker; resolves when it has loaded its kinds. Wiring and opening are the caller's. */
  private launch(index: number): Promise<void> {
    const slot = this.slots[index] as Slot;
    const init: WorkerInit = {
      index,
      workers: this.slots.length,
      kindModules: this.o.kindModules,
      kindConfig: this.o.kindConfig,
      settings: this.o.settings,
      counters: this.counters.buffer,
      snapshots: (this.snapshots[index] as SlabIndex).export(),
      logLevel: this.o.log.level,
    };
    const worker = new Worker(WORKER_ENTRY.url, { workerData: init, execArgv: WORKER_ENTRY.execArgv, name: `vigil-shard-${index}` });
    slot.worker = worker;
    let started = false;
    // This launch's half of its subject table: a replacement starts its own.
    const subjects: ReceivedAddresses = [];
    const ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (m: FromWorker) => {
        if (m.t === "ready") {
          started = true;
          resolve();
        } else {
          this.onMessage(index, m, subjects);
        }
      });
      worker.on("error", (err) => {
        slot.lastError = serializeError(err);
        if (!started) reject(err);
      });
      worker.on("exit", (code) => {
        if (!started) reject(new Error(`shard worker ${index} exited with code ${code} while starting`));
        else if (!this.stopping && slot.worker === worker) {
          // Asks posted to this worker died with it. Reject them now: from here on
          // main holds new ones for the replacement, which will answer them.
          this.asks.rejectAll(new VigilError("VIGIL_WORKER_CRASHED", `shard worker ${index} crashed`), index);
          void this.replace(index, code);
        }
      });
    });
    return ready;
  }

  /** A MessageChannel between two workers, one end to each. */
  private wire(i: number, j: number): void {
    const a = (this.slots[i] as Slot).worker;
    const b = (this.slots[j] as Slot).worker;
    if (a === null || b === null) return;
    const { port1, port2 } = new MessageChannel();
    a.postMessage({ t: "peer", index: j, port: port1 } satisfies ToWorker, [port1]);
    b.postMessage({ t: "peer", index: i, port: port2 } satisfies ToWorker, [port2]);
  }

  /** Start routing main's messages to a ready worker, delivering what was held for it. */
  private open(index: number): void {
    const slot = this.slots[index] as Slot;
    const worker = slot.worker as Worker;
    slot.outbox = new Outbox({
      post: (b) => worker.postMessage(b satisfies ToWorker),
      posted: (n) => this.counters.addPosted(index, n),
      uncloneableEnvelope: (env, err) => {
        if (env.credit === CREDIT_BUDGETED) this.counters.release(index, 1);
        this.deadLetter(env, "VIGIL_NOT_CLONEABLE", `message to ${env.to} cannot cross a worker boundary: ${serializeError(err).message}`);
      },
      uncloneableReply: () => undefined, // main sends no replies
    }, "turn");
    for (const env of slot.held.splice(0)) this.send(env);
  }

  private async replace(index: number, exitCode: number): Promise<void> {
    const slot = this.slots[index] as Slot;
    slot.worker = null;
    slot.outbox = null;
    const error = slot.lastError ?? { name: "WorkerExit", message: `worker exited with code ${exitCode}` };
    slot.lastError = undefined;
    this.o.log.error({ worker: index, exitCode, error }, "shard worker crashed");
    // Every peer stops sending to the dead worker and flushes what it had, so
    // that posted - settled is final before it is read.
    const waiting = new Set<number>();
    for (let j = 0; j < this.slots.length; j++) if (j !== index && (this.slots[j] as Slot).worker !== null) waiting.add(j);
    this.ackWaiters.set(index, waiting);
    for (const j of waiting) (this.slots[j] as Slot).worker?.postMessage({ t: "peer-down", index } satisfies ToWorker);
    const deadline = this.o.clock.now() + 5_000;
    while (waiting.size > 0 && this.o.clock.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    this.ackWaiters.delete(index);
    const lost = this.counters.takeLost(index);
    this.lostInFlight += lost;
    this.o.emit({ type: "worker-crashed", worker: index, lostMessages: lost, error });

    const now = this.o.clock.now();
    const within = this.o.workerRestartWithinMs ?? 60_000;
    slot.restarts = slot.restarts.filter((t) => now - t < within);
    if (slot.restarts.length >= (this.o.maxWorkerRestarts ?? 10)) {
      slot.givenUp = true;
      this.o.log.fatal({ worker: index }, "shard worker keeps crashing; giving it up");
      for (const env of slot.held.splice(0)) this.deadLetter(env, "VIGIL_WORKER_CRASHED", `worker ${index} was given up`);
      return;
    }
    slot.restarts.push(now);
    try {
      const ready = this.launch(index);
      for (let j = 0; j < this.slots.length; j++) if (j !== index) this.wire(index, j);
      await ready;
      this.open(index);
      this.o.emit({ type: "worker-restarted", worker: index, restoredActors: (this.snapshots[index] as SlabIndex).size });
    } catch (err) {
      this.o.log.error({ worker: index, err }, "replacement worker failed to start");
      await this.replace(index, -1);
    }
  }
}

function workerEntry(): { url: URL; execArgv: string[] } {
  // Built: the compiled JavaScript entry. From source (tsx, vitest): a tiny
  // bootstrap that registers tsx's loader inside the worker first, because
  // Node 20 does not carry the main thread's loader hooks into workers.
  if (!import.meta.url.endsWith(".ts")) return { url: new URL("./shard-worker.js", import.meta.url), execArgv: [] };
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(path.join(path.dirname(require.resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
  const entry = new URL("./shard-worker.ts", import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(entry)});`;
  return { url: new URL(`data:text/javascript,${encodeURIComponent(code)}`), execArgv: [] };
}
