/**
 * What a cluster member is started with, every field filled. Durations are
 * milliseconds. The node maps its config's `cluster` section onto this.
 */
export interface ClusterOptions {
  /** This member's id (a NATS subject token, unique in the cluster). */
  readonly nodeId: string;
  /** Partitions for the life of the cluster; a member started with another count is refused. */
  readonly partitions: number;
  /** Replicas of every stream and bucket (1 on a single server; 3 on a three-server cluster). */
  readonly replicas: number;
  /** How often a member says it is alive. */
  readonly heartbeatMs: number;
  /** A member not heard from for this long is gone (its key expires, a marker tells the others). */
  readonly memberTtlMs: number;
  /** A partition lease lives this long unless renewed; renewed every quarter of it. */
  readonly leaseTtlMs: number;
  /** How often an owner snapshots each partition's actors. */
  readonly snapshotIntervalMs: number;
  /** How long the ingest stream keeps readings (replays reach back at most this far). */
  readonly ingestMaxAgeMs: number;
  /** The output stream's duplicate window: replays within it produce no second output. */
  readonly duplicateWindowMs: number;
  /** Readings of one partition applied but not yet durable at once (the consumer's max_ack_pending). */
  readonly maxInFlight: number;
}

export const DEFAULT_CLUSTER: Omit<ClusterOptions, "nodeId"> = {
  partitions: 64,
  replicas: 1,
  heartbeatMs: 1_000, // 1 second
  memberTtlMs: 5_000, // 5 seconds
  leaseTtlMs: 4_000, // 4 seconds: renewed each second, self-fenced after 3 without a renewal
  snapshotIntervalMs: 5_000, // 5 seconds
  ingestMaxAgeMs: 24 * 60 * 60 * 1000, // 1 day
  duplicateWindowMs: 2 * 60 * 1000, // 2 minutes
  maxInFlight: 1_000,
};

/** Bucket and stream names, fixed so every member finds the same ones. */
export const CLUSTER_NAMES = {
  ingest: "VIGIL_INGEST",
  output: "VIGIL_PROCESSED",
  /** The latest message of each subject (unit states): what a node starting late shows of units it does not own. */
  latest: "VIGIL_LATEST",
  members: "vigil_members",
  leases: "vigil_leases",
  /** Leases of OPC UA endpoints: each is connected by one node at a time. */
  endpointLeases: "vigil_endpoint_leases",
  snapshots: "vigil_snapshots",
  snapshotBlobs: "vigil_snapshot_blobs",
  /** The priority group of every partition consumer. */
  ownerGroup: "owner",
} as const;
