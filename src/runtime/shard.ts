/**
 * A shard hosts actors on one thread: it activates them on their first
 * message, runs each actor's messages one at a time in order, applies the
 * kind's supervision policy when a handler fails, checkpoints snapshots and
 * passivates idle actors. Whatever it does not host it hands to its links.
 *
 * The scheduler is a ready queue drained in passes on setImmediate, so port
 * messages and timers interleave with actor work, and a synchronous receive
 * costs no promise.
 */
import type { Logger } from "pino";
import type { AskOptions, ChildFailed } from "./actor.js";
import { Activation, ActivationStatus, type ContextHost } from "./activation.js";
import { AskTable } from "./ask-table.js";
import { parseAddress, type ActorAddress } from "./address.js";
import type { Clock, TimerHandle } from "./clock.js";
import { CREDIT_BUDGETED, CREDIT_LOCAL, CREDIT_REMOTE, type EndpointId, type Envelope, type Reply } from "./envelope.js";
import { VigilError, serializeError, type VigilErrorCode } from "./errors.js";
import type { KindEntry, KindRegistry } from "./kind-registry.js";
import { Mailbox } from "./mailbox.js";
import type { WaitingByKey } from "./coalescing.js";
import type { RuntimeEvent } from "./events.js";
import { ObjectSnapshots, type ShardSnapshots } from "./shard-snapshots.js";
import { isStateTransfer, type StateTransfer } from "./state-transfer.js";
import { RestartHistory, decide } from "./supervision.js";

/** How a shard reaches everything outside itself. */
export interface ShardLinks {
  /** The endpoint that hosts an address. */
  placement(address: ActorAddress): EndpointId;
  /** Send to another endpoint; false when refused under backpressure. */
  forward(target: EndpointId, env: Envelope, entry: KindEntry): boolean;
  /** Deliver a reply whose ask lives on another endpoint. */
  reply(reply: Reply): void;
  /** An actor published to the node's outlet; `json` is the encoded payload. */
  publish(subject: string, json: string): void;
  /**
   * `count` envelopes that came from another thread are settled: dropped,
   * failed, or handled with their effect on state captured by a snapshot
   * already put in the shard's store (or by an actor with no state). A crash
   * after this loses nothing of them; before it, they count as lost.
   */
  settled(count: number): void;
  /** Budgeted envelopes (credit 2) that have left the shard since the last call. */
  releaseCredit(count: number): void;
  event(event: RuntimeEvent): void;
}

export interface ShardOptions {
  index: EndpointId;
  kinds: KindRegistry;
  links: ShardLinks;
  clock: Clock;
  log: Logger;
  askTimeoutMs: number;
  /** Checkpoint dirty actors this often; 0 snapshots after every handled message. */
  snapshotIntervalMs: number;
  /** How often idle actors are looked for. @default 1000 */
  passivationSweepMs?: number;
  /** Where snapshots are kept (and copied off-thread from). @default ObjectSnapshots, empty */
  snapshots?: ShardSnapshots;
}

export interface ShardStats {
  activeActors: number;
  storedSnapshots: number;
  pendingAsks: number;
  deadLetters: number;
}

/** Changes kept on top of a full snapshot before the next one is taken in full. */
const MAX_SNAPSHOT_CHANGES = 16;

/** Messages handled per actor before yielding to the next ready actor (fairness). */
const ACTOR_BATCH = 64;
/**
 * Time one slice of a timed checkpoint may take before it yields (it takes at
 * least one actor). Slices were 64 actors: a sensor's snapshot costs tens of
 * microseconds, so each slice ran 1-3 ms of CPU (measured at 54k readings/s),
 * the longest tasks a shard worker ran, and every reading that came in meanwhile
 * waited for it.
 */
const CHECKPOINT_SLICE_MS = 0.5;
/**
 * Messages handled per event-loop turn before yielding to the event loop.
 * A worker's port hands over every batch queued for it in one turn, and each
 * used to be handled at once: under load a turn ran to 16k messages, and
 * everything they set off — model runs (setImmediate), the micro-batcher's
 * flush timers, the outputs of readings already scored — waited behind the
 * whole turn (p99 tens of ms at half load). Past this many, the rest waits in
 * its mailboxes for the next turn.
 */
const TURN_BUDGET = 1_024;

export class Shard implements ContextHost {
  readonly index: EndpointId;
  private readonly kinds: KindRegistry;
  private readonly links: ShardLinks;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly askTimeoutMs: number;
  private readonly snapshotIntervalMs: number;
  private readonly activations = new Map<ActorAddress, Activation>();
  private readonly snapshots: ShardSnapshots;
  /** Actors whose next snapshot must be full: the copy of their last one off this thread is behind (see ShardSnapshots.putFull). */
  private readonly inFullNext = new Set<ActorAddress>();
  private readonly ready = new Mailbox<Activation>(Number.POSITIVE_INFINITY);
  private readonly asks: AskTable;
  private dirtyList: Activation[] = [];
  private passNow = 0;
  private kicked = false;
  private draining = false;
  /** Messages handled in this event-loop turn (see TURN_BUDGET); reset by an immediate queued when the turn's first is. */
  private turnUsed = 0;
  /** The envelope whose receive is running (for holdCredit). */
  private handling: Envelope | undefined = undefined;
  private readonly newTurnBound = (): void => {
    this.turnUsed = 0;
  };
  private stopped = false;
  private credits = 0;
  private checkpointing = false;
  /** Remote envelopes handled by stateful actors whose snapshots have not been taken since. */
  private uncovered = 0;
  private deadLetters = 0;
  private readonly timers: TimerHandle[] = [];
  private readonly drainBound = (): void => this.drain();
  private readonly kickLater = (): void => void setImmediate(this.drainBound);

  constructor(options: ShardOptions) {
    this.index = options.index;
    this.kinds = options.kinds;
    this.links = options.links;
    this.clock = options.clock;
    this.log = options.log;
    this.askTimeoutMs = options.askTimeoutMs;
    this.snapshotIntervalMs = options.snapshotIntervalMs;
    this.asks = new AskTable(options.clock);
    this.snapshots = options.snapshots ?? new ObjectSnapshots();
    this.passNow = this.clock.now();
    this.every(options.passivationSweepMs ?? 1_000, () => this.sweepIdle());
    if (this.snapshotIntervalMs > 0) this.every(this.snapshotIntervalMs, () => this.checkpointInSlices());
  }

  // ---- entry points -------------------------------------------------------

  /**
   * Accept an envelope addressed to an actor of this shard. An envelope with
   * credit 2 was admitted under the sender's in-flight budget: it may exceed a
   * backpressure mailbox's capacity (the budget bounds it). Returns false when
   * refused under backpressure.
   */
  deliver(env: Envelope): boolean {
    if (this.stopped) {
      this.deadLetter(env, "VIGIL_SYSTEM_STOPPED", "the shard is stopped");
      return false;
    }
    let a = this.activations.get(env.to);
    if (a === undefined) {
      const created = this.activate(env);
      if (created === undefined) return false;
      if (this.activations.get(env.to) !== created) {
        // Creation failed and the supervisor stopped it: nothing will read its mailbox.
        this.deadLetter(env, "VIGIL_ACTOR_STOPPED", `${env.to} failed to activate and was stopped by its supervisor`);
        return true;
      }
      a = created;
    }
    // Latest-wins (ActorKind.coalesce): merged into the one of its key still waiting, it takes no room of its own.
    const byKey = a.waitingByKey;
    const key = byKey === null ? undefined : byKey.keyOf(env);
    if (key !== undefined && (byKey as WaitingByKey).merge(key, env)) {
      a.entry.stats.coalesced++;
      return true;
    }
    const policy = a.entry.mailbox;
    const budgeted = env.credit === CREDIT_BUDGETED;
    if (policy.overflow === "backpressure" && !budgeted && a.mailbox.isFull) {
      a.entry.stats.refused++;
      return false;
    }
    const dropped = a.mailbox.push(env, budgeted && policy.overflow === "backpressure");
    if (dropped !== undefined) {
      byKey?.left(dropped);
      a.entry.stats.dropped++;
      this.settleDropped(dropped, "VIGIL_MAILBOX_FULL", `dropped from ${a.self}'s full mailbox (drop-oldest)`);
    }
    if (key !== undefined) (byKey as WaitingByKey).queued(key, env);
    if (a.status === ActivationStatus.Idle) this.enqueueReady(a);
    return true;
  }

  /**
   * Run ready actors now instead of on the next setImmediate. Called after a
   * batch arrives from another thread, so the replies it causes are on their
   * way one event-loop turn sooner.
   */
  runReady(): void {
    if (this.draining || this.ready.size === 0) return;
    if (this.turnUsed < TURN_BUDGET) this.drain();
    else this.kick();
  }

  /** Fail this shard's pending asks to actors on another shard (it crashed). */
  failAsksTo(shard: EndpointId, error: Error): void {
    this.asks.rejectAll(error, shard);
  }

  /** Settle a reply for an ask that originated on this shard. */
  settleReply(reply: Reply): void {
    if (reply.ok) this.asks.resolve(reply.ask, reply.value);
    else this.asks.reject(reply.ask, toError(reply.error));
  }

  hosts(address: ActorAddress): boolean {
    return this.activations.has(address);
  }

  stats(): ShardStats {
    return {
      activeActors: this.activations.size,
      storedSnapshots: this.snapshots.size,
      pendingAsks: this.asks.size,
      deadLetters: this.deadLetters,
    };
  }

  /** Snapshot every dirty actor now (also runs on the checkpoint timer). */
  checkpoint(): void {
    const list = this.dirtyList;
    this.dirtyList = [];
    for (const a of list) {
      a.dirty = false;
      if (this.activations.get(a.self) === a && a.actor !== null) this.takeSnapshot(a);
    }
    // Every state change handled so far is now in a snapshot.
    if (this.uncovered > 0) {
      this.links.settled(this.uncovered);
      this.uncovered = 0;
    }
  }

  /**
   * The checkpoint timer's way: the same work in slices of CHECKPOINT_SLICE_MS
   * each, yielding to the event loop between them, so a shard with
   * thousands of dirty actors does not stall every message for the length
   * of one big snapshot pass. Messages handled before it began are settled
   * when the last slice is done; later ones wait for the next checkpoint.
   */
  private checkpointInSlices(): void {
    if (this.checkpointing) return;
    const list = this.dirtyList;
    this.dirtyList = [];
    const covering = this.uncovered;
    this.uncovered = 0;
    this.checkpointing = true;
    let i = 0;
    const slice = (): void => {
      const until = performance.now() + CHECKPOINT_SLICE_MS;
      while (i < list.length) {
        const a = list[i++] as Activation;
        a.dirty = false;
        if (this.activations.get(a.self) === a && a.actor !== null) this.takeSnapshot(a);
        if (performance.now() >= until) break;
      }
      if (i < list.length && !this.stopped) {
        setImmediate(slice);
        return;
      }
      this.checkpointing = false;
      if (covering > 0 && i === list.length) this.links.settled(covering);
    };
    slice();
  }

  /** Passivate every actor (hooks run, snapshots kept) and stop accepting messages. */
  async stop(): Promise<void> {
    for (const t of this.timers) t.cancel();
    // Stopped first: messages still queued when an actor leaves become dead
    // letters instead of activating a fresh instance that outlives stop().
    this.stopped = true;
    const leaving = [...this.activations.values()].map((a) => this.passivate(a));
    await Promise.allSettled(leaving);
    this.flushCredits();
    this.asks.rejectAll(new VigilError("VIGIL_SYSTEM_STOPPED", "the actor system stopped"));
  }

  // ---- ContextHost (what actors call through their context) ---------------

  now(): number {
    return this.clock.now();
  }

  tellFrom(from: ActorAddress | undefined, to: ActorAddress, message: unknown): boolean {
    return this.route({ to, msg: message, from, ask: 0, origin: this.index, credit: 0 });
  }

  askFrom<R>(from: ActorAddress | undefined, to: ActorAddress, message: unknown, options?: AskOptions): Promise<R> {
    // Tagged with the shard it goes to, so a crash there can fail it at once.
    const target = this.kinds.forAddress(to) === undefined ? this.index : this.links.placement(to);
    const { id, promise } = this.asks.create<R>(to, options?.timeoutMs ?? this.askTimeoutMs, target);
    const accepted = this.route({ to, msg: message, from, ask: id, origin: this.index, credit: 0 });
    if (!accepted) this.asks.reject(id, new VigilError("VIGIL_MAILBOX_FULL", `${to} refused the ask: its mailbox is full`));
    return promise;
  }

  publish(subject: string, payload: unknown): void {
    let json: string;
    try {
      json = JSON.stringify(payload);
    } catch (err) {
      this.log.error({ subject, err }, "published payload is not JSON-serialisable; dropped");
      return;
    }
    this.links.publish(subject, json);
  }

  publishJson(subject: string, json: string): void {
    this.links.publish(subject, json);
  }

  schedule(a: Activation, delayMs: number, message: unknown): TimerHandle {
    const timers = (a.timers ??= new Set());
    const handle = this.clock.setTimer(delayMs, () => {
      timers.delete(handle);
      if (this.activations.get(a.self) === a && !this.stopped) this.deliver({ to: a.self, msg: message, from: a.self, ask: 0, origin: this.index, credit: 0 });
    });
    timers.add(handle);
    return {
      cancel: () => {
        handle.cancel();
        timers.delete(handle);
      },
    };
  }

  holdCredit(a: Activation): boolean {
    const env = this.handling;
    if (env === undefined || env.to !== a.self || env.credit !== CREDIT_BUDGETED) return false;
    // Still settled as a remote envelope when it leaves; only the credit stays out (released by releaseCredits).
    env.credit = CREDIT_REMOTE;
    return true;
  }

  releaseCredits(n: number): void {
    if (!(n > 0)) return;
    this.credits += n;
    // Usually called between passes (a model's answer); no pass end would release it then.
    if (!this.draining) this.flushCredits();
  }

  markDirty(a: Activation): void {
    if (this.snapshotIntervalMs === 0) {
      if (a.actor !== null) this.takeSnapshot(a);
      return;
    }
    if (!a.dirty) {
      a.dirty = true;
      this.dirtyList.push(a);
    }
  }

  /** Route an envelope to wherever its address lives. Unknown kinds become dead letters. */
  route(env: Envelope): boolean {
    const entry = this.kinds.forAddress(env.to);
    if (entry === undefined) {
      this.deadLetter(env, "VIGIL_UNKNOWN_ACTOR_KIND", `no actor kind for address "${env.to}"`);
      return false;
    }
    const target = this.links.placement(env.to);
    if (target === this.index) return this.deliver(env);
    return this.links.forward(target, env, entry);
  }

  // ---- activation ---------------------------------------------------------

  private activate(env: Envelope): Activation | undefined {
    const entry = this.kinds.forAddress(env.to);
    if (entry === undefined) {
      this.deadLetter(env, "VIGIL_UNKNOWN_ACTOR_KIND", `no actor kind for address "${env.to}"`);
      return undefined;
    }
    let id: string;
    try {
      ({ id } = parseAddress(env.to));
    } catch (err) {
      // Bad input (e.g. "sensor/" with no id) is the sender's problem, never the shard's.
      this.deadLetter(env, "VIGIL_ADDRESS_INVALID", err instanceof Error ? err.message : String(err));
      return undefined;
    }
    const a = new Activation(env.to, id, entry, this, this.log);
    a.lastActive = this.clock.now();
    this.activations.set(env.to, a);
    entry.stats.activations++;
    this.incarnate(a);
    return a;
  }

  /** Create the instance, restore its last snapshot and run onActivate. */
  private incarnate(a: Activation): void {
    a.status = ActivationStatus.Busy;
    let hook: void | Promise<void>;
    try {
      const actor = a.entry.kind.create(a.id);
      const stored = actor.restore === undefined ? undefined : this.snapshots.read(a.self);
      if (stored !== undefined && actor.restore !== undefined) {
        actor.restore(stored.state);
        for (const change of stored.changes) actor.applyChange?.(change);
      }
      a.actor = actor;
      hook = actor.onActivate?.(a);
    } catch (err) {
      this.fail(a, undefined, err);
      return;
    }
    if (isThenable(hook)) {
      hook.then(
        () => this.resume(a),
        (err: unknown) => this.fail(a, undefined, err),
      );
    } else {
      this.resume(a);
    }
  }

  // ---- scheduling ---------------------------------------------------------

  private enqueueReady(a: Activation): void {
    a.status = ActivationStatus.Scheduled;
    this.ready.push(a);
    if (!this.draining) this.kick();
  }

  private kick(): void {
    if (!this.kicked) {
      this.kicked = true;
      // Queued from a microtask, behind those of the running task: what they
      // set off on setImmediate goes before the next pass — above all the
      // model runs of the rows this pass added (their batches flush at the
      // end of the task; onnxruntime starts a run on setImmediate). Queued at
      // once, the next pass (a whole turn budget) ran first and every scored
      // output of this pass waited for it.
      queueMicrotask(this.kickLater);
    }
  }

  /** Back to idle after async work; reschedule if messages are waiting. */
  private resume(a: Activation): void {
    if (this.activations.get(a.self) !== a || a.status === ActivationStatus.Leaving) return;
    a.status = ActivationStatus.Idle;
    if (a.mailbox.size > 0) this.enqueueReady(a);
  }

  private drain(): void {
    this.kicked = false;
    this.draining = true;
    this.passNow = this.clock.now();
    // A drain from the kick runs at least one actor's batch, so a turn whose budget went elsewhere still moves.
    const budget = Math.max(1, TURN_BUDGET - this.turnUsed);
    let handled = 0;
    try {
      while (handled < budget && this.ready.size > 0) {
        const a = this.ready.shift() as Activation;
        if (a.status !== ActivationStatus.Scheduled) continue;
        handled += this.run(a);
      }
    } finally {
      this.draining = false;
      if (handled > 0) {
        if (this.turnUsed === 0) setImmediate(this.newTurnBound);
        this.turnUsed += handled;
      }
      this.flushCredits();
    }
    if (this.ready.size > 0) this.kick();
  }

  /** Handle up to ACTOR_BATCH messages of one actor; returns how many it took. */
  private run(a: Activation): number {
    a.status = ActivationStatus.Busy;
    a.lastActive = this.passNow;
    const actor = a.actor as NonNullable<Activation["actor"]>;
    let handled = 0;
    while (handled < ACTOR_BATCH) {
      const env = a.mailbox.shift();
      if (env === undefined) break;
      if (a.waitingByKey !== null) a.waitingByKey.left(env);
      handled++;
      a.sender = env.from;
      if (isStateTransfer(env.msg)) {
        if (this.transferState(a, env, env.msg)) continue;
        return handled;
      }
      let result: unknown;
      this.handling = env;
      try {
        result = actor.receive(env.msg, a);
      } catch (err) {
        this.handling = undefined;
        this.leave(env, true);
        this.fail(a, env, err);
        return handled;
      }
      this.handling = undefined;
      if (isThenable(result)) {
        result.then(
          (value) => {
            this.leave(env, this.succeeded(a, env, value));
            this.resume(a);
          },
          (err: unknown) => {
            this.leave(env, true);
            this.fail(a, env, err);
          },
        );
        return handled;
      }
      this.leave(env, this.succeeded(a, env, result));
    }
    if (handled > 0 && actor.onTurnEnd !== undefined) {
      try {
        actor.onTurnEnd(a);
      } catch (err) {
        this.fail(a, undefined, err);
        return handled;
      }
    }
    if (a.mailbox.size > 0) {
      a.status = ActivationStatus.Scheduled;
      this.ready.push(a);
    } else {
      a.status = ActivationStatus.Idle;
    }
    return handled;
  }

  /**
   * A state transfer (state-transfer.ts), in mailbox order. Returns whether
   * the same instance goes on with its mailbox (false: it was replaced, or failed).
   */
  private transferState(a: Activation, env: Envelope, msg: StateTransfer): boolean {
    if (msg.$vigil === "state-export") {
      let state: unknown;
      try {
        state = a.actor?.snapshot?.();
      } catch (err) {
        this.leave(env, true);
        this.fail(a, env, err);
        return false;
      }
      if (env.ask !== 0) this.sendReply(env, true, state, undefined);
      this.leave(env, true);
      return true;
    }
    // Kept as the stored snapshot (and replicated), so a crash after this comes back to it too.
    this.keptFull(a.self, this.snapshots.putFull(a.self, msg.state));
    if (env.ask !== 0) this.sendReply(env, true, undefined, undefined);
    this.leave(env, true);
    cancelTimers(a);
    a.actor = null;
    this.incarnate(a);
    return false;
  }

  /** Returns whether the message's effect on state is already durable (snapshotted, or no state). */
  private succeeded(a: Activation, env: Envelope, value: unknown): boolean {
    a.entry.stats.processed++;
    if (env.ask !== 0) this.sendReply(env, true, value, undefined);
    if (a.actor?.snapshot === undefined) return true;
    this.markDirty(a);
    return this.snapshotIntervalMs === 0;
  }

  // ---- supervision --------------------------------------------------------

  private fail(a: Activation, env: Envelope | undefined, err: unknown): void {
    const entry = a.entry;
    entry.stats.failures++;
    const error = serializeError(err);
    if (env !== undefined && env.ask !== 0) {
      this.sendReply(env, false, undefined, {
        name: "VigilError",
        code: "VIGIL_ACTOR_FAILED",
        message: `${a.self} failed handling the message: ${error.message}`,
      });
    }
    a.history ??= new RestartHistory();
    const decision = decide(entry.supervision, a.history, this.clock.now());
    this.log.error({ actor: a.self, err, decision: decision.action }, "actor failed");
    this.links.event({ type: "actor-failed", address: a.self, error, decision: decision.action });
    switch (decision.action) {
      case "resume":
        this.resume(a);
        return;
      case "restart":
        entry.stats.restarts++;
        a.actor = null;
        a.status = ActivationStatus.Restarting;
        this.clock.setTimer(decision.delayMs, () => {
          if (this.activations.get(a.self) === a && !this.stopped) this.incarnate(a);
        });
        return;
      case "stop":
        entry.stats.stops++;
        this.remove(a, "VIGIL_ACTOR_STOPPED", `${a.self} was stopped by its supervisor`);
        return;
      case "escalate": {
        entry.stats.escalations++;
        this.remove(a, "VIGIL_ACTOR_STOPPED", `${a.self} was stopped and its failure escalated`);
        const parent = entry.kind.parent?.(a.id);
        const restarts = a.history.count(this.clock.now(), Number.POSITIVE_INFINITY);
        if (parent !== undefined) {
          const notice: ChildFailed = { $vigil: "child-failed", child: a.self, error, restarts };
          this.tellFrom(a.self, parent, notice);
        }
        this.links.event({ type: "actor-escalated", address: a.self, parent, error });
        return;
      }
    }
  }

  /** Take an actor out of service after a failure; its queued messages become dead letters. */
  private remove(a: Activation, code: VigilErrorCode, reason: string): void {
    a.status = ActivationStatus.Leaving;
    a.actor = null;
    cancelTimers(a);
    this.activations.delete(a.self);
    a.waitingByKey?.clear();
    for (const env of a.mailbox.drain()) this.settleDropped(env, code, reason);
  }

  // ---- passivation and snapshots -----------------------------------------

  private sweepIdle(): void {
    const now = this.clock.now();
    for (const a of this.activations.values()) {
      const idleMs = a.entry.passivation.idleMs;
      if (idleMs > 0 && a.status === ActivationStatus.Idle && a.mailbox.size === 0 && now - a.lastActive >= idleMs) {
        void this.passivate(a);
      }
    }
  }

  private async passivate(a: Activation): Promise<void> {
    const actor = a.actor;
    a.status = ActivationStatus.Leaving;
    cancelTimers(a);
    if (actor !== null) {
      try {
        await actor.onDeactivate?.(a);
      } catch (err) {
        this.log.error({ actor: a.self, err }, "onDeactivate failed; passivating anyway");
      }
      this.takeSnapshot(a);
    }
    if (this.activations.get(a.self) !== a) return;
    this.activations.delete(a.self);
    a.actor = null;
    a.entry.stats.passivations++;
    // Messages that arrived while it was leaving start a fresh activation.
    a.waitingByKey?.clear();
    const waiting = a.mailbox.drain();
    for (const env of waiting) this.deliver(env);
  }

  private takeSnapshot(a: Activation): void {
    const actor = a.actor;
    if (actor?.snapshot === undefined) return;
    // A change needs the stored snapshot to be where the actor's state began:
    // true once this instance has been restored from it or has taken one.
    const changes = this.snapshots.changesOf(a.self);
    if (actor.snapshotChange !== undefined && changes !== undefined && changes < MAX_SNAPSHOT_CHANGES && !this.inFullNext.has(a.self)) {
      let change: unknown;
      try {
        change = actor.snapshotChange();
      } catch (err) {
        this.log.error({ actor: a.self, err }, "snapshot change failed; taking a full snapshot");
      }
      if (change !== undefined) {
        // Not copied off this thread: changes on top of the copy there would be changes to the wrong state.
        if (!this.snapshots.putChange(a.self, change)) this.inFullNext.add(a.self);
        return;
      }
    }
    let state: unknown;
    try {
      state = actor.snapshot();
    } catch (err) {
      this.log.error({ actor: a.self, err }, "snapshot failed; keeping the previous one");
      return;
    }
    this.keptFull(a.self, this.snapshots.putFull(a.self, state));
  }

  /** @param copied whether the store's copy off this thread has it (else the next is taken in full) */
  private keptFull(address: ActorAddress, copied: boolean): void {
    if (copied) this.inFullNext.delete(address);
    else this.inFullNext.add(address);
  }

  /**
   * On a replacement worker: activate now the restored actors whose kind
   * says their snapshot holds work of their own (ActorKind.activateAfterCrash).
   * Returns how many.
   */
  activateRestored(): number {
    let woken = 0;
    for (const address of [...this.snapshots.addresses()]) {
      const entry = this.kinds.forAddress(address);
      if (entry?.kind.activateAfterCrash === undefined || this.activations.has(address)) continue;
      const stored = this.snapshots.read(address);
      if (stored === undefined) continue;
      const latest = stored.changes.length > 0 ? stored.changes[stored.changes.length - 1] : stored.state;
      if (!entry.kind.activateAfterCrash(latest)) continue;
      this.activate({ to: address, msg: undefined, from: undefined, ask: 0, origin: this.index, credit: CREDIT_LOCAL });
      woken++;
    }
    return woken;
  }

  // ---- replies, dead letters, credits -------------------------------------

  private sendReply(env: Envelope, ok: boolean, value: unknown, error: Reply["error"]): void {
    const reply: Reply = { ask: env.ask, origin: env.origin, ok, value, error };
    if (env.origin === this.index) this.settleReply(reply);
    else this.links.reply(reply);
  }

  private settleDropped(env: Envelope, code: VigilErrorCode, reason: string): void {
    this.deadLetter(env, code, reason);
  }

  /**
   * An envelope leaves the shard. One from another thread is settled now if
   * its effect is durable, else at the next checkpoint.
   */
  private leave(env: Envelope, durable: boolean): void {
    if (env.credit !== CREDIT_LOCAL) {
      if (durable) this.links.settled(1);
      else this.uncovered++;
      if (env.credit === CREDIT_BUDGETED) {
        this.credits++;
        // Outside a drain pass (an async receive settling, a dead letter on a
        // timer) no pass end would release it, and the sender could wait forever.
        if (!this.draining) this.flushCredits();
      }
    }
  }

  private deadLetter(env: Envelope, code: VigilErrorCode, reason: string): void {
    this.deadLetters++;
    this.leave(env, true);
    if (env.ask !== 0) this.sendReply(env, false, undefined, { name: "VigilError", code, message: reason });
    this.links.event({ type: "dead-letter", address: env.to, code, reason });
  }

  private flushCredits(): void {
    if (this.credits > 0) {
      this.links.releaseCredit(this.credits);
      this.credits = 0;
    }
  }

  private every(ms: number, fn: () => void): void {
    const tick = (): void => {
      if (this.stopped) return;
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, "shard housekeeping failed");
      }
      this.timers[slot] = this.clock.setTimer(ms, tick);
    };
    const slot = this.timers.length;
    this.timers.push(this.clock.setTimer(ms, tick));
  }
}

function cancelTimers(a: Activation): void {
  if (a.timers === null) return;
  for (const t of a.timers) t.cancel();
  a.timers = null;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function toError(e: Reply["error"]): Error {
  if (e === undefined) return new VigilError("VIGIL_ACTOR_FAILED", "the ask failed");
  return e.code !== undefined && e.code.startsWith("VIGIL_")
    ? new VigilError(e.code as VigilErrorCode, e.message)
    : Object.assign(new Error(e.message), { name: e.name });
}
