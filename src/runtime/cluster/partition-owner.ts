/**
 * The work of one owned partition for the length of one lease: restore its
 * actors from the last snapshot, replay the ingest stream from the sequence
 * after it through the partition's durable consumer, apply each message
 * (the domain's `PartitionWork`) and acknowledge it once its effect is
 * durable, snapshot at a cadence, and stop — by handoff (drain, snapshot)
 * or by fencing (at once, nothing more applied or acknowledged).
 *
 * The consumer is recreated at each takeover at the snapshot's sequence
 * (the previous owner's acknowledgements do not count: its state after its
 * last snapshot is lost with it), with a pinned-client priority group, so
 * the server delivers to one puller only. Since acknowledgements only pace
 * the server within one tenure, they are cumulative (ack-all) and sent for
 * the frontier every `ACK_EVERY` messages or when nothing is in flight: each
 * one is a replicated write of the consumer's state on the servers.
 */
import { AckPolicy, DeliverPolicy, JetStreamApiError, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { VigilError } from "../errors.js";
import type { HeldLease } from "./lease.js";
import { CLUSTER_NAMES, type ClusterOptions } from "./options.js";
import { parsePartitionSubject, partitionConsumer, partitionFilter, type PartitionLayout } from "./partitioner.js";
import type { PartitionSnapshot, SnapshotStore } from "./snapshot-store.js";

/** One ingest message of an owned partition, as handed to the domain. */
export interface PartitionMessage {
  readonly partition: number;
  /** Its ingest stream sequence. */
  readonly seq: number;
  /** The publisher's subject tokens after the ingest prefix (e.g. unit, sensor). */
  readonly tokens: readonly string[];
  readonly data: Uint8Array;
  /** When the stream stored it, epoch ms: a stable stand-in for a missing timestamp across replays. */
  readonly storedAt: number;
  /** The owner's fencing epoch. */
  readonly epoch: number;
}

/** What the domain does with a partition's messages and actors. */
export interface PartitionWork {
  /** Put the partition's actors back to a snapshot's states, before any message is applied. */
  restore(partition: number, epoch: number, actors: [string, unknown][]): Promise<void>;
  /** Apply one message; resolves once its effect and outputs are durable (then it is acknowledged). */
  apply(message: PartitionMessage): Promise<void>;
  /** The states of the partition's actors; called with nothing in flight. */
  export(partition: number): Promise<[string, unknown][]>;
  /** The partition's tenure here ended (handed off or fenced). */
  forget(partition: number, epoch: number): void;
}

export interface PartitionOwnerDeps {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly layout: PartitionLayout;
  readonly options: ClusterOptions;
  readonly snapshots: SnapshotStore;
  readonly work: PartitionWork;
  readonly log: Logger;
  /** The owner cannot go on (snapshot chain moved on, apply failed): give the partition up. */
  readonly lost: (partition: number, reason: string) => void;
}

interface InFlight {
  readonly msg: JsMsg;
  done: boolean;
}

/** Messages applied between two cumulative acknowledgements (far below any max_ack_pending worth running). */
const ACK_EVERY = 64;

export class PartitionOwner {
  readonly partition: number;
  readonly epoch: number;
  private messages: ConsumerMessages | undefined;
  private running: Promise<void> | undefined;
  private fenced = false;
  /** Set by handOff: no message is taken until the fence. */
  private holding = false;
  private release: (() => void) | undefined;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private paused: Promise<void> | undefined;
  private unpause: (() => void) | undefined;
  private readonly inFlight: InFlight[] = [];
  private drainedWaiters: (() => void)[] = [];
  private slotWaiter: (() => void) | undefined;
  /** The last sequence applied with everything before it applied too. */
  private frontier = 0;
  /** The highest sequence handed to the domain in this tenure. */
  private taken = 0;
  /** Messages behind the frontier not yet acknowledged to the server. */
  private unacked = 0;
  private covered = 0;
  private snapshotRevision = 0;
  private lastSaved: { seq: number; covered: number } = { seq: -1, covered: -1 };
  /** Changes made to the actors outside the stream (operators' actions), counted; and how many the last written snapshot carries. */
  private changes = 0;
  private savedChanges = 0;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    lease: HeldLease,
    private readonly deps: PartitionOwnerDeps,
  ) {
    this.partition = lease.partition;
    this.epoch = lease.epoch;
    this.log = deps.log.child({ partition: this.partition, epoch: this.epoch });
  }

  /** Restore and start consuming; throws VIGIL_CLUSTER_SNAPSHOT_UNREACHABLE when the stream no longer reaches the snapshot. */
  async start(): Promise<void> {
    const { jsm, layout, snapshots, work, options } = this.deps;
    const stored = await snapshots.load(this.partition);
    const snapshot = stored.snapshot;
    this.snapshotRevision = stored.revision;
    this.frontier = snapshot?.seq ?? 0;
    this.taken = this.frontier;
    this.covered = snapshot?.covered ?? 0;
    this.lastSaved = { seq: this.frontier, covered: this.covered };
    const stream = await jsm.streams.info(layout.stream);
    if (stream.state.first_seq > this.covered + 1 && stream.state.messages > 0) {
      throw new VigilError(
        "VIGIL_CLUSTER_SNAPSHOT_UNREACHABLE",
        `partition ${this.partition}: the ingest stream starts at ${stream.state.first_seq} but the last snapshot covers only through ${this.covered}; readings in between may be gone`,
      );
    }
    if (this.fenced) return;
    const name = partitionConsumer(this.partition);
    // The actors are restored while the consumer is replaced (it delivers nothing until consumed, below): a takeover
    // waits for the longer of the two rather than their sum.
    await Promise.all([work.restore(this.partition, this.epoch, snapshot?.actors ?? []), this.replaceConsumer(name)]);
    if (this.fenced) return;
    const consumer = await this.deps.js.consumers.get(layout.stream, name);
    this.messages = await consumer.consume({ group: CLUSTER_NAMES.ownerGroup, max_messages: Math.min(512, options.maxInFlight), abort_on_missing_resource: true });
    this.running = this.run(this.messages);
    const jitter = Math.random() * options.snapshotIntervalMs;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = setInterval(() => void this.snapshot(), options.snapshotIntervalMs);
      void this.snapshot();
    }, jitter);
    this.log.info({ from: this.frontier + 1, restoredActors: snapshot?.actors.length ?? 0 }, "partition started");
  }

  /** The partition's durable consumer, created anew from the snapshot's sequence (the previous tenure's is deleted). */
  private async replaceConsumer(name: string): Promise<void> {
    const { jsm, layout, options } = this.deps;
    await jsm.consumers.delete(layout.stream, name).catch((err: unknown) => {
      if (!(err instanceof JetStreamApiError)) throw err; // not found: nothing to replace
    });
    await jsm.consumers.add(layout.stream, {
      durable_name: name,
      filter_subject: partitionFilter(layout, this.partition),
      ack_policy: AckPolicy.All,
      // Its state is worth nothing past this tenure (the next owner starts from the snapshot), so it is not replicated
      // nor written to disk: a replicated consumer costs the servers a raft write per delivery and per acknowledgement,
      // most of their work per reading. Should its server restart, the consumer comes back from its start sequence
      // (what was already taken is skipped) or is gone (consuming stops, the partition is given up and taken again).
      num_replicas: 1,
      mem_storage: true,
      ack_wait: nanos(Math.max(30_000, options.leaseTtlMs * 4)),
      max_ack_pending: options.maxInFlight,
      ...(this.frontier > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.frontier + 1 } : { deliver_policy: DeliverPolicy.All }),
      priority_groups: [CLUSTER_NAMES.ownerGroup],
      priority_policy: "pinned_client",
      priority_timeout: nanos(options.leaseTtlMs),
    });
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const { layout, work, options } = this.deps;
    try {
      for await (const m of messages) {
        while ((this.paused !== undefined || this.holding) && !this.fenced) await (this.paused ?? this.released);
        if (this.fenced) break;
        while (this.inFlight.length >= options.maxInFlight && !this.fenced) await new Promise<void>((resolve) => (this.slotWaiter = resolve));
        if (this.fenced) break;
        // Delivered again (a consumer recreated from its start sequence, an acknowledgement wait run out): already handed on.
        if (m.seq <= this.taken) continue;
        this.taken = m.seq;
        const parsed = parsePartitionSubject(layout, m.subject);
        const entry: InFlight = { msg: m, done: false };
        this.inFlight.push(entry);
        const message: PartitionMessage = {
          partition: this.partition,
          seq: m.seq,
          tokens: parsed?.tokens ?? [],
          data: m.data,
          storedAt: Math.floor(m.info.timestampNanos / 1e6),
          epoch: this.epoch,
        };
        work.apply(message).then(
          () => this.applied(entry),
          (err: unknown) => this.deps.lost(this.partition, `applying sequence ${m.seq} failed: ${(err as Error).message}`),
        );
      }
    } catch (err) {
      if (!this.fenced) this.deps.lost(this.partition, `consuming failed: ${(err as Error).message}`);
      return;
    }
    // Ended by itself (the connection closed for good): nothing more arrives for this tenure.
    if (!this.fenced) this.deps.lost(this.partition, "consuming ended");
  }

  private applied(entry: InFlight): void {
    if (this.fenced) return;
    entry.done = true;
    let head: JsMsg | undefined;
    while (this.inFlight.length > 0 && (this.inFlight[0] as InFlight).done) {
      head = (this.inFlight.shift() as InFlight).msg;
      this.unacked++;
    }
    if (head !== undefined) {
      this.frontier = head.seq;
      if (this.inFlight.length === 0 || this.unacked >= ACK_EVERY) {
        head.ack();
        this.unacked = 0;
      }
    }
    if (this.inFlight.length < this.deps.options.maxInFlight && this.slotWaiter !== undefined) {
      const wake = this.slotWaiter;
      this.slotWaiter = undefined;
      wake();
    }
    if (this.inFlight.length === 0) for (const waiter of this.drainedWaiters.splice(0)) waiter();
  }

  private drained(): Promise<void> {
    if (this.inFlight.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** Snapshot now (between messages): pause, let what is in flight finish, export, write, resume. */
  snapshot(): Promise<void> {
    this.snapshotting ??= this.takeSnapshot().finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  /**
   * A change reached the partition's actors outside the ingest stream (an
   * operator's action, applied already): snapshot now, because a takeover
   * restores the last snapshot and replays only the stream, and would lose
   * it. True once a snapshot taken after the change is written; false when
   * the tenure ended first (the change may be lost with it).
   */
  async persist(): Promise<boolean> {
    const change = ++this.changes;
    for (let tries = 0; tries < 3 && this.savedChanges < change && !this.fenced; tries++) {
      // One under way may have taken the states before the change: the next one takes them after.
      await this.snapshotting;
      await this.snapshot();
    }
    return this.savedChanges >= change;
  }

  private async takeSnapshot(): Promise<void> {
    if (this.fenced) return;
    this.paused = new Promise((resolve) => (this.unpause = resolve));
    let snapshot: PartitionSnapshot | undefined;
    let changes = 0;
    try {
      await this.drained();
      if (this.fenced) return;
      // Only a partition idle since its last snapshot needs the stream's last sequence (two API calls, with the
      // partition paused): a busy one's frontier moves on by itself.
      if (this.frontier === this.lastSaved.seq) await this.advanceCovered();
      if (this.fenced || (this.frontier === this.lastSaved.seq && this.covered === this.lastSaved.covered && this.changes === this.savedChanges)) return;
      // Counted before the states are asked for: every change counted so far is in them.
      changes = this.changes;
      const actors = await this.deps.work.export(this.partition);
      if (this.fenced) return;
      snapshot = {
        partition: this.partition,
        seq: this.frontier,
        covered: Math.max(this.covered, this.frontier),
        node: this.deps.options.nodeId,
        epoch: this.epoch,
        takenAt: Date.now(),
        actors,
      };
    } catch (err) {
      if (!this.fenced) this.deps.lost(this.partition, `snapshot failed: ${(err as Error).message}`);
      return;
    } finally {
      const resume = this.unpause;
      this.paused = undefined;
      this.unpause = undefined;
      resume?.();
    }
    if (snapshot === undefined) return;
    // Written with the partition running again: the states are taken, and what is applied from here on is after `seq`.
    try {
      this.snapshotRevision = await this.deps.snapshots.save(snapshot, this.snapshotRevision);
      this.lastSaved = { seq: snapshot.seq, covered: snapshot.covered };
      this.savedChanges = Math.max(this.savedChanges, changes);
    } catch (err) {
      if (!this.fenced) this.deps.lost(this.partition, `snapshot failed: ${(err as Error).message}`);
    }
  }

  /**
   * With nothing in flight: when the consumer has nothing pending or
   * unacknowledged, every message of the partition stored before the
   * stream's last sequence (read first) has been applied.
   */
  private async advanceCovered(): Promise<void> {
    const { jsm, layout } = this.deps;
    const last = (await jsm.streams.info(layout.stream)).state.last_seq;
    const consumer = await jsm.consumers.info(layout.stream, partitionConsumer(this.partition));
    if (consumer.num_pending === 0 && consumer.num_ack_pending === 0 && this.inFlight.length === 0) this.covered = Math.max(this.covered, last);
  }

  /** Stop at once: nothing more is applied or acknowledged. */
  fence(): void {
    if (this.fenced) return;
    this.fenced = true;
    this.stopTimers();
    this.messages?.stop();
    this.slotWaiter?.();
    this.unpause?.();
    this.release?.();
    for (const waiter of this.drainedWaiters.splice(0)) waiter();
    this.deps.work.forget(this.partition, this.epoch);
  }

  /** Graceful end of tenure: finish what is in flight, write a last snapshot, stop. The caller releases the lease. */
  async handOff(): Promise<void> {
    this.stopTimers();
    // Held from here to the fence: the loop takes nothing more once the last snapshot is under way.
    this.holding = true;
    try {
      await this.snapshotting;
      await this.snapshot();
    } finally {
      this.fence();
      await this.running;
    }
  }

  private stopTimers(): void {
    clearTimeout(this.snapshotTimer);
    clearInterval(this.snapshotTimer);
  }
}
