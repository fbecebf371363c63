/**
 * The streams a cluster runs on, created or checked at a member's start:
 * the ingest stream (publishers' subjects mapped to partitions by the
 * server, and the batches members split by partition themselves, stored
 * as published), the output stream (processed readings, deduplicated by
 * message id over a window), and the latest-value stream (the last message
 * of each of the domain's state subjects, kept as it is published — nobody
 * publishes into it on purpose). The partition count is recorded in the ingest
 * stream's metadata; a member configured with another count is refused,
 * since every key would map elsewhere.
 */
import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { VigilError } from "../errors.js";
import { CLUSTER_NAMES, type ClusterOptions } from "./options.js";
import { partitionBatchSubjects, partitionTransform, type PartitionLayout } from "./partitioner.js";

const PARTITIONS_METADATA = "vigil_partitions";
/** JetStream's "stream not found" and "stream name already in use". */
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

export interface ClusterStreams {
  readonly ingest: StreamInfo;
  readonly output: StreamInfo;
  /** Absent when no latest-value subjects were given. */
  readonly latest: StreamInfo | undefined;
}

export async function ensureClusterStreams(jsm: JetStreamManager, layout: PartitionLayout, options: ClusterOptions, outputSubjects: string[], latestSubjects: string[] = []): Promise<ClusterStreams> {
  const transform = partitionTransform(layout);
  const subjects = [layout.ingestSubjects, partitionBatchSubjects(layout)];
  let ingest = await ensureStream(jsm, {
    name: layout.stream,
    subjects,
    subject_transform: transform,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(options.ingestMaxAgeMs),
    num_replicas: options.replicas,
    metadata: { [PARTITIONS_METADATA]: String(layout.partitions) },
  });
  const recorded = ingest.config.metadata?.[PARTITIONS_METADATA];
  if (recorded !== String(layout.partitions) || ingest.config.subject_transform?.dest !== transform.dest) {
    throw new VigilError(
      "VIGIL_CLUSTER_PARTITIONS_MISMATCH",
      `cluster.partitions: the cluster runs ${recorded ?? "an unknown number of"} partitions (stream ${layout.stream}), this node is configured for ${layout.partitions}; the count is fixed for the life of a cluster`,
    );
  }
  const missing = subjects.filter((s) => !ingest.config.subjects?.includes(s));
  // A stream made before members published batches of their own: only that subject is added, nothing else changes.
  if (missing.length > 0) ingest = await jsm.streams.update(layout.stream, { subjects: [...(ingest.config.subjects ?? []), ...missing] });
  const output = await ensureStream(jsm, {
    name: CLUSTER_NAMES.output,
    subjects: outputSubjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(options.ingestMaxAgeMs),
    duplicate_window: nanos(options.duplicateWindowMs),
    num_replicas: options.replicas,
  });
  const latest =
    latestSubjects.length === 0
      ? undefined
      : await ensureStream(jsm, {
          name: CLUSTER_NAMES.latest,
          subjects: latestSubjects,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          max_msgs_per_subject: 1,
          num_replicas: options.replicas,
        });
  return { ingest, output, latest };
}

/** The stream as it is when it exists (never reconfigured behind the cluster's back), else created. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(config.name);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND)) throw err;
  }
  try {
    return await jsm.streams.add(config);
  } catch (err) {
    // Another member created it first: take theirs (and check it like any existing one).
    if (err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE) return jsm.streams.info(config.name);
    throw err;
  }
}
