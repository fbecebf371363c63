/**
 * Where ingest lands in a cluster: the names of the ingest stream, its
 * partitioned subjects and the per-partition consumers, and the partition
 * of a key (FNV-1a, the function the server's `{{partition(N, token)}}`
 * subject mapping uses, so both agree on every key).
 */
import { partitionOf } from "../hash.js";

export interface PartitionLayout {
  /** Partitions for the life of the cluster. */
  readonly partitions: number;
  /** The stream readings are published into, e.g. "VIGIL_INGEST". */
  readonly stream: string;
  /** What publishers send to, with one `*` per token: the first is the partition key. */
  readonly ingestSubjects: string;
  /** Tokens of `ingestSubjects` before its first wildcard. */
  readonly ingestPrefixTokens: number;
  /** Where the stream stores a message: `<partitionRoot>.<p>.<tokens...>`. */
  readonly partitionRoot: string;
}

/** `vigil.ingest.reading.<unit>.<sensor>` → `vigil.part.<p>.<unit>.<sensor>`. */
export function partitionLayout(partitions: number, stream = "VIGIL_INGEST"): PartitionLayout {
  return { partitions, stream, ingestSubjects: "vigil.ingest.reading.*.*", ingestPrefixTokens: 3, partitionRoot: "vigil.part" };
}

/** The stream's subject transform: the server assigns the partition from the first wildcard token. */
export function partitionTransform(layout: PartitionLayout): { src: string; dest: string } {
  const wildcards = layout.ingestSubjects.split(".").filter((t) => t === "*").length;
  const rest = Array.from({ length: wildcards }, (_, i) => `{{wildcard(${i + 1})}}`).join(".");
  return { src: layout.ingestSubjects, dest: `${layout.partitionRoot}.{{partition(${layout.partitions},1)}}.${rest}` };
}

export function partitionOfKey(layout: PartitionLayout, key: string): number {
  return partitionOf(key, layout.partitions);
}

/**
 * Where a member publishes readings it split by partition itself (a
 * gateway's batch, MQTT, HTTP): one message per partition, stored as
 * published, within the partition's filter.
 */
export function partitionBatchSubject(layout: PartitionLayout, partition: number): string {
  return `${layout.partitionRoot}.${partition}.${BATCH_TOKEN}`;
}

/** The stream subject that takes every partition's batches. */
export function partitionBatchSubjects(layout: PartitionLayout): string {
  return `${layout.partitionRoot}.*.${BATCH_TOKEN}`;
}

/** A stored message's tokens (after its partition) name a batch: a single reading has two (unit, sensor). */
export function isPartitionBatch(tokens: readonly string[]): boolean {
  return tokens.length === 1 && tokens[0] === BATCH_TOKEN;
}

const BATCH_TOKEN = "batch";

/** The subject a partition's messages are stored under (a consumer's filter). */
export function partitionFilter(layout: PartitionLayout, partition: number): string {
  return `${layout.partitionRoot}.${partition}.>`;
}

/** The partition and the publisher's tokens after it, from a stored subject. */
export function parsePartitionSubject(layout: PartitionLayout, subject: string): { partition: number; tokens: string[] } | undefined {
  const root = `${layout.partitionRoot}.`;
  if (!subject.startsWith(root)) return undefined;
  const tokens = subject.slice(root.length).split(".");
  const partition = Number(tokens.shift());
  return Number.isInteger(partition) ? { partition, tokens } : undefined;
}

/** The durable consumer of a partition (one per partition; its pinned priority group admits one owner). */
export function partitionConsumer(partition: number): string {
  return `vigil-part-${partition}`;
}

export function partitionKey(partition: number): string {
  return `p${partition}`;
}

/** Every partition number, 0 … partitions − 1. */
export function allPartitions(layout: PartitionLayout): number[] {
  return Array.from({ length: layout.partitions }, (_, i) => i);
}
