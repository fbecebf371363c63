/**
 * Partition leases: one key per partition in a key-value bucket whose keys
 * live `leaseTtlMs`. A lease is taken with create (it succeeds only on an
 * absent, deleted or expired key — compare-and-set), renewed with update on
 * its last revision, and released with a delete on that revision. The
 * revision at which it was taken is the owner's fencing epoch: it only
 * grows, so outputs and snapshots tagged with it order the owners.
 *
 * Self-fencing: a renewal counts from the moment it was sent, and the holder
 * treats its lease as lost `leaseTtlMs / 4` before it could expire on the
 * server (which counts from when it stored the renewal, later). Past that
 * point `fence` is called — before anyone else can take the key.
 *
 * The table also follows the bucket (including expiry markers), so a member
 * knows which partitions are free the moment they become free.
 *
 * The same mechanism leases other things one node at a time (an OPC UA
 * endpoint's connection): a `LeaseSpace` names the bucket and numbers its
 * keys; "partition" is then that number.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { openTtlBucket } from "./membership.js";
import { CLUSTER_NAMES, type ClusterOptions } from "./options.js";
import { partitionKey } from "./partitioner.js";

export interface HeldLease {
  readonly partition: number;
  /** The revision it was taken at: this tenure's fencing epoch. */
  readonly epoch: number;
  /** The key's current revision (what the next renewal must match). */
  revision: number;
  /** Local time (ms, monotonic) after which this member must consider the lease lost. */
  validUntil: number;
}

export interface LeaseHolder {
  readonly node: string;
  readonly epoch: number;
}

export interface LeaseEvents {
  /** A held lease could not be renewed in time: stop its partition's work now. */
  fence(partition: number, epoch: number): void;
  /** A partition's lease became free (released, or expired: a limit marker). */
  freed(partition: number): void;
}

/** What a table leases: a bucket of keys numbered 0 … count − 1. */
export interface LeaseSpace {
  readonly bucket: string;
  readonly count: number;
  key(index: number): string;
  /** The number of a key; undefined for keys not in the space. */
  index(key: string): number | undefined;
}

/** The partitions' leases: keys `p<N>` in the leases bucket. */
export function partitionLeases(partitions: number): LeaseSpace {
  return {
    bucket: CLUSTER_NAMES.leases,
    count: partitions,
    key: partitionKey,
    index: (key) => {
      const n = Number(key.slice(1));
      return Number.isInteger(n) ? n : undefined;
    },
  };
}

export class LeaseTable {
  private readonly held = new Map<number, HeldLease>();
  private readonly holders = new Map<number, LeaseHolder>();
  private readonly freeSince = new Map<number, number>();
  private renewTimer: NodeJS.Timeout | undefined;
  private fenceTimer: NodeJS.Timeout | undefined;
  private watch: QueuedIterator<KvWatchEntry> | undefined;
  private watching: Promise<void> | undefined;
  /** Leases with a renewal under way. */
  private readonly renewing = new Set<HeldLease>();

  private constructor(
    private readonly kv: KV,
    private readonly options: ClusterOptions,
    private readonly events: LeaseEvents,
    private readonly log: Logger,
    private readonly space: LeaseSpace,
  ) {}

  static async open(js: JetStreamClient, options: ClusterOptions, events: LeaseEvents, log: Logger, space: LeaseSpace = partitionLeases(options.partitions)): Promise<LeaseTable> {
    const kv = await openTtlBucket(js, space.bucket, options.leaseTtlMs, options.replicas);
    const table = new LeaseTable(kv, options, events, log, space);
    const now = performance.now();
    for (let p = 0; p < space.count; p++) table.freeSince.set(p, now);
    table.watch = await kv.watch();
    table.watching = table.follow(table.watch);
    table.renewTimer = setInterval(() => table.renewAll(), options.leaseTtlMs / 4);
    // Checked more often than renewals, so a fence lands well before the deadline.
    table.fenceTimer = setInterval(() => table.fenceExpired(), Math.max(50, options.leaseTtlMs / 16));
    return table;
  }

  /** The current holder as last seen, or undefined when free. */
  holder(partition: number): LeaseHolder | undefined {
    return this.holders.get(partition);
  }

  /** Since when (performance.now()) a partition has been seen free, or undefined when held. */
  freeSinceOf(partition: number): number | undefined {
    return this.freeSince.get(partition);
  }

  heldLease(partition: number): HeldLease | undefined {
    return this.held.get(partition);
  }

  heldPartitions(): number[] {
    return [...this.held.keys()];
  }

  /** Try to take a partition's lease; undefined when someone holds it. */
  async acquire(partition: number): Promise<HeldLease | undefined> {
    const sentAt = performance.now();
    let revision: number;
    try {
      revision = await this.kv.create(this.space.key(partition), JSON.stringify({ node: this.options.nodeId, at: Date.now() }), ttlText(this.options.leaseTtlMs));
    } catch {
      return undefined; // held (wrong last sequence) or unreachable: either way not ours
    }
    const lease: HeldLease = { partition, epoch: revision, revision, validUntil: sentAt + this.safeMs() };
    this.held.set(partition, lease);
    this.holders.set(partition, { node: this.options.nodeId, epoch: revision });
    this.freeSince.delete(partition);
    return lease;
  }

  /** Give a lease back (after its partition's work has stopped and its snapshot is written). */
  async release(partition: number): Promise<void> {
    const lease = this.held.get(partition);
    if (lease === undefined) return;
    this.held.delete(partition);
    try {
      await this.kv.delete(this.space.key(partition), { previousSeq: lease.revision });
    } catch (err) {
      // Renewed elsewhere or unreachable: it expires on its own, and we hold nothing either way.
      this.log.warn({ partition, err }, "could not release a partition lease; it will expire");
    }
  }

  /** Forget a lease without a word to the server (it was fenced: it may already be someone else's). */
  drop(partition: number): void {
    this.held.delete(partition);
  }

  /**
   * Each lease is renewed on its own: one whose last renewal is still under
   * way is skipped this round (its update must match the revision that
   * renewal returns), the others go out. Rounds used to wait for the
   * slowest renewal of all and skip while it was out, so one slow write
   * delayed every lease of the node and fenced them together.
   */
  private renewAll(): void {
    for (const lease of this.held.values()) {
      if (this.renewing.has(lease)) continue;
      this.renewing.add(lease);
      void this.renew(lease).finally(() => this.renewing.delete(lease));
    }
  }

  private async renew(lease: HeldLease): Promise<void> {
    const sentAt = performance.now();
    try {
      const revision = await this.kv.update(this.space.key(lease.partition), JSON.stringify({ node: this.options.nodeId, at: Date.now(), epoch: lease.epoch }), lease.revision);
      if (this.held.get(lease.partition) !== lease) return;
      lease.revision = revision;
      lease.validUntil = sentAt + this.safeMs();
    } catch (err) {
      // A renewal that timed out may still have been stored: then the key is ours at a newer revision.
      if (await this.adoptStoredRenewal(lease, sentAt)) return;
      // Not fatal yet: the fence timer decides when the lease can no longer be trusted.
      this.log.warn({ partition: lease.partition, err: (err as Error).message }, "partition lease renewal failed");
    }
  }

  /** The key still holds this tenure (this node, this epoch): take its revision; the renewal it records was sent no earlier than `sentAt`'s predecessor. */
  private async adoptStoredRenewal(lease: HeldLease, sentAt: number): Promise<boolean> {
    try {
      const entry = await this.kv.get(this.space.key(lease.partition));
      if (entry === null || entry.operation !== "PUT" || this.held.get(lease.partition) !== lease) return false;
      const value = entry.json<{ node?: string; epoch?: number }>();
      const ours = value.node === this.options.nodeId && (value.epoch === lease.epoch || (value.epoch === undefined && entry.revision === lease.epoch));
      if (!ours || entry.revision < lease.revision) return false;
      lease.revision = entry.revision;
      // Counted from this attempt's send time, earlier than whichever renewal stored it: on the safe side.
      lease.validUntil = Math.min(lease.validUntil + this.options.leaseTtlMs / 4, sentAt + this.safeMs());
      return true;
    } catch {
      return false;
    }
  }

  private fenceExpired(): void {
    const now = performance.now();
    for (const lease of [...this.held.values()]) {
      if (now < lease.validUntil) continue;
      this.held.delete(lease.partition);
      this.log.warn({ partition: lease.partition, epoch: lease.epoch }, "partition lease not renewed in time: fencing the partition");
      this.events.fence(lease.partition, lease.epoch);
    }
  }

  /** Three quarters of the TTL: the rest is the margin for the owner to stop before expiry. */
  private safeMs(): number {
    return (this.options.leaseTtlMs * 3) / 4;
  }

  private async follow(watch: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const e of watch) {
      const partition = this.space.index(e.key);
      if (partition === undefined) continue;
      if (e.operation === "PUT") {
        const holder = parseHolder(e);
        const known = this.holders.get(partition);
        // Renewals keep the epoch; a create starts a new one.
        this.holders.set(partition, { node: holder.node, epoch: known !== undefined && known.node === holder.node ? known.epoch : (holder.epoch ?? e.revision) });
        this.freeSince.delete(partition);
      } else {
        this.holders.delete(partition);
        if (!this.freeSince.has(partition)) this.freeSince.set(partition, performance.now());
        this.events.freed(partition);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    clearInterval(this.fenceTimer);
    this.watch?.stop();
    await this.watching;
  }
}

function parseHolder(e: KvWatchEntry): { node: string; epoch?: number } {
  try {
    return e.json<{ node: string; epoch?: number }>();
  } catch {
    return { node: "?" };
  }
}

/** A Go duration string in whole seconds, at least 1 (the server's floor for per-message TTLs). */
function ttlText(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}
