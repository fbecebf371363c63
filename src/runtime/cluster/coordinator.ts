/**
 * A node's membership in the cluster: joins (membership heartbeat), keeps
 * the streams and buckets, and reconciles which partitions it owns against
 * rendezvous hashing over the live members — taking free leases of the
 * partitions it should own (or any left free longer than a lease's life),
 * handing off those another live member should own, and fencing any whose
 * lease it could not renew. Reconciles on every membership or lease change
 * and on a timer.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { isVigilError } from "../errors.js";
import { ensureClusterStreams } from "./ingest-stream.js";
import { LeaseTable } from "./lease.js";
import { Membership } from "./membership.js";
import type { ClusterOptions } from "./options.js";
import { PartitionOwner, type PartitionWork } from "./partition-owner.js";
import { partitionLayout, type PartitionLayout } from "./partitioner.js";
import { ownerOf } from "./rendezvous.js";
import { SnapshotStore } from "./snapshot-store.js";

export interface ClusterMemberDeps {
  readonly nc: NatsConnection;
  readonly options: ClusterOptions;
  readonly work: PartitionWork;
  readonly log: Logger;
  /** Subjects of the output stream (processed readings). */
  readonly outputSubjects: string[];
  /** Subjects whose latest message the cluster keeps (unit states), for nodes that start late. */
  readonly latestSubjects?: string[];
}

export interface ClusterStatus {
  readonly node: string;
  readonly members: string[];
  /** Partitions this node owns, with their epochs. */
  readonly owned: { partition: number; epoch: number }[];
}

export class ClusterMember {
  readonly layout: PartitionLayout;
  private readonly owners = new Map<number, PartitionOwner>();
  /** Partitions being started or handed off: not reconciled again until done. */
  private readonly busy = new Set<number>();
  /** Partitions refused (stream does not reach the snapshot): not taken again by this node. */
  private readonly refused = new Set<number>();
  private membership: Membership | undefined;
  private leases: LeaseTable | undefined;
  private snapshots: SnapshotStore | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private reconcileQueued = false;
  private readonly js: JetStreamClient;
  private jsm: JetStreamManager | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: ClusterMemberDeps) {
    this.layout = partitionLayout(deps.options.partitions);
    this.js = jetstream(deps.nc);
    this.log = deps.log.child({ part: "cluster", node: deps.options.nodeId });
  }

  async start(): Promise<void> {
    const { options } = this.deps;
    this.jsm = await jetstreamManager(this.deps.nc);
    await ensureClusterStreams(this.jsm, this.layout, options, this.deps.outputSubjects, this.deps.latestSubjects);
    this.snapshots = await SnapshotStore.open(this.js, options);
    this.leases = await LeaseTable.open(
      this.js,
      options,
      {
        fence: (partition) => this.fence(partition, "lease not renewed in time"),
        freed: () => this.queueReconcile(),
      },
      this.log,
    );
    this.membership = await Membership.join(this.js, options, this.log);
    this.membership.onChange(() => this.queueReconcile());
    this.timer = setInterval(() => this.queueReconcile(), options.leaseTtlMs / 4);
    this.queueReconcile();
    this.log.info({ partitions: options.partitions, members: this.membership.members() }, "joined the cluster");
  }

  status(): ClusterStatus {
    return {
      node: this.deps.options.nodeId,
      members: this.membership?.members() ?? [],
      owned: [...this.owners.values()].map((o) => ({ partition: o.partition, epoch: o.epoch })).sort((a, b) => a.partition - b.partition),
    };
  }

  /** The node holding a partition's lease as last seen (this one included), or undefined while it is free. */
  holderOf(partition: number): string | undefined {
    return this.leases?.holder(partition)?.node;
  }

  /** True while this node works the partition (taken, started, not handed off or fenced). */
  works(partition: number): boolean {
    return this.owners.has(partition) && !this.busy.has(partition);
  }

  /**
   * Snapshot a partition this node works, after a change to its actors that
   * the ingest stream does not carry (see PartitionOwner.persist). False
   * when this node does not work it, or its tenure ended before the
   * snapshot was written.
   */
  persist(partition: number): Promise<boolean> {
    return this.owners.get(partition)?.persist() ?? Promise.resolve(false);
  }

  private queueReconcile(): void {
    if (this.reconcileQueued || this.stopping) return;
    this.reconcileQueued = true;
    setImmediate(() => {
      this.reconcileQueued = false;
      this.reconcile();
    });
  }

  private reconcile(): void {
    const leases = this.leases;
    const membership = this.membership;
    if (leases === undefined || membership === undefined || this.stopping) return;
    const self = this.deps.options.nodeId;
    const members = membership.members();
    if (!members.includes(self)) members.push(self);
    const now = performance.now();
    for (let p = 0; p < this.layout.partitions; p++) {
      if (this.busy.has(p)) continue;
      const wanted = ownerOf(p, members);
      const owner = this.owners.get(p);
      if (owner !== undefined) {
        if (wanted !== self) void this.handOff(p, owner, `${wanted ?? "?"} should own it`);
        continue;
      }
      if (this.refused.has(p) || leases.holder(p) !== undefined) continue;
      const freeSince = leases.freeSinceOf(p);
      const orphaned = freeSince !== undefined && now - freeSince > this.deps.options.leaseTtlMs;
      if (wanted === self || orphaned) void this.take(p);
    }
  }

  private async take(partition: number): Promise<void> {
    const leases = this.leases as LeaseTable;
    this.busy.add(partition);
    try {
      const lease = await leases.acquire(partition);
      if (lease === undefined || this.stopping) {
        if (lease !== undefined) await leases.release(partition);
        return;
      }
      const owner = new PartitionOwner(lease, {
        js: this.js,
        jsm: this.jsm as JetStreamManager,
        layout: this.layout,
        options: this.deps.options,
        snapshots: this.snapshots as SnapshotStore,
        work: this.deps.work,
        log: this.log,
        lost: (p, reason) => void this.giveUp(p, reason),
      });
      this.owners.set(partition, owner);
      try {
        await owner.start();
        this.log.info({ partition, epoch: lease.epoch }, "partition taken");
      } catch (err) {
        this.owners.delete(partition);
        owner.fence();
        await leases.release(partition);
        if (isVigilError(err, "VIGIL_CLUSTER_SNAPSHOT_UNREACHABLE")) {
          this.refused.add(partition);
          this.log.error({ partition, err }, "partition refused: its stream no longer reaches its snapshot");
        } else {
          this.log.warn({ partition, err }, "could not start a partition; it is left for another try");
        }
      }
    } finally {
      this.busy.delete(partition);
      this.queueReconcile();
    }
  }

  private async handOff(partition: number, owner: PartitionOwner, reason: string): Promise<void> {
    this.busy.add(partition);
    try {
      await owner.handOff();
      this.owners.delete(partition);
      await (this.leases as LeaseTable).release(partition);
      this.log.info({ partition, epoch: owner.epoch, reason }, "partition handed off");
    } finally {
      this.busy.delete(partition);
    }
  }

  /** The lease could not be renewed: stop at once, hold nothing. */
  private fence(partition: number, reason: string): void {
    const owner = this.owners.get(partition);
    this.owners.delete(partition);
    owner?.fence();
    this.log.warn({ partition, epoch: owner?.epoch, reason }, "partition fenced");
    this.queueReconcile();
  }

  /** The owner cannot go on: stop it and release the lease, so it starts again from its snapshot (here or elsewhere). */
  private async giveUp(partition: number, reason: string): Promise<void> {
    const owner = this.owners.get(partition);
    if (owner === undefined) return;
    this.owners.delete(partition);
    owner.fence();
    this.log.warn({ partition, epoch: owner.epoch, reason }, "partition given up");
    await this.leases?.release(partition);
  }

  /** Graceful leave: hand every partition off (snapshot, release), then leave the membership. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.membership?.leave();
    await Promise.all([...this.owners.entries()].map(([p, owner]) => this.handOff(p, owner, "node leaving").catch((err: unknown) => this.log.warn({ partition: p, err }, "handoff failed"))));
    await this.leases?.close();
    await this.membership?.close();
    this.log.info("left the cluster");
  }
}
