/**
 * src/runtime/cluster — scale-out over NATS JetStream: the partitioned
 * ingest stream, membership by heartbeat, partition leases with fencing,
 * rendezvous ownership, per-partition consumers, snapshots and handoff,
 * and followers of the shared output streams.
 *
 * Must not depend on anything outside src/runtime: what a partition's
 * messages mean is the domain's `PartitionWork`; this folder only moves
 * them, their state and their ownership.
 */
export { ClusterMember } from "./coordinator.js";
export type { ClusterMemberDeps, ClusterStatus } from "./coordinator.js";
export { CLUSTER_NAMES, DEFAULT_CLUSTER } from "./options.js";
export type { ClusterOptions } from "./options.js";
export type { PartitionMessage, PartitionWork } from "./partition-owner.js";
export { allPartitions, isPartitionBatch, parsePartitionSubject, partitionBatchSubject, partitionFilter, partitionLayout, partitionOfKey, partitionTransform } from "./partitioner.js";
export type { PartitionLayout } from "./partitioner.js";
export { ownerOf, partitionsOf } from "./rendezvous.js";
export { LeaseTable, partitionLeases } from "./lease.js";
export type { HeldLease, LeaseEvents, LeaseHolder, LeaseSpace } from "./lease.js";
export { ensureClusterStreams } from "./ingest-stream.js";
export { SnapshotStore } from "./snapshot-store.js";
export { followStream } from "./stream-follower.js";
export type { StreamFollower } from "./stream-follower.js";
export type { PartitionSnapshot } from "./snapshot-store.js";
export { StreamPublisher } from "./stream-publisher.js";
