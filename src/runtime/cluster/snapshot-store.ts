/**
 * Partition snapshots: the states of a partition's actors and the last
 * ingest sequence they reflect, one key per partition in a key-value bucket.
 * Each write is a compare-and-set on the revision the writer last read or
 * wrote, so the chain of snapshots has one writer at a time: an owner whose
 * write is refused has been superseded and must stop. States are encoded
 * with v8's serializer (typed arrays and maps survive). A snapshot too big
 * for a key's value goes to the object store under its own name, the key
 * keeping only the name and digest.
 */
import { serialize, deserialize } from "node:v8";
import { createHash } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { VigilError } from "../errors.js";
import { CLUSTER_NAMES, type ClusterOptions } from "./options.js";
import { partitionKey } from "./partitioner.js";

/** Bigger encoded snapshots go to the object store (NATS's default max payload is 1 MiB). */
const INLINE_LIMIT_BYTES = 256 * 1024;

export interface PartitionSnapshot {
  readonly partition: number;
  /** The last ingest stream sequence whose effect the states include (0: none). */
  readonly seq: number;
  /**
   * A stream sequence through which every message of the partition has been
   * applied (>= seq): an idle partition's snapshot stays valid while the
   * stream ages out messages that were never its own.
   */
  readonly covered: number;
  readonly node: string;
  readonly epoch: number;
  readonly takenAt: number;
  /** [actor address, state], in the order they are to be restored. */
  readonly actors: [string, unknown][];
}

interface Record {
  snapshot?: PartitionSnapshot;
  /** Set instead of `snapshot` when it lives in the object store. */
  blob?: { name: string; digest: string; seq: number };
}

export interface StoredPartitionSnapshot {
  readonly snapshot: PartitionSnapshot | undefined;
  /** The key's revision: what the next write must match (0: never written). */
  readonly revision: number;
}

export class SnapshotStore {
  private constructor(
    private readonly kv: KV,
    private readonly blobs: ObjectStore,
  ) {}

  static async open(js: JetStreamClient, options: ClusterOptions): Promise<SnapshotStore> {
    const kv = await new Kvm(js).create(CLUSTER_NAMES.snapshots, { history: 1, replicas: options.replicas });
    const blobs = await new Objm(js).create(CLUSTER_NAMES.snapshotBlobs, { replicas: options.replicas });
    return new SnapshotStore(kv, blobs);
  }

  async load(partition: number): Promise<StoredPartitionSnapshot> {
    const entry = await this.kv.get(partitionKey(partition));
    if (entry === null || entry.operation !== "PUT") return { snapshot: undefined, revision: entry?.revision ?? 0 };
    const record = deserialize(entry.value) as Record;
    if (record.snapshot !== undefined) return { snapshot: record.snapshot, revision: entry.revision };
    const blob = record.blob;
    const data = blob === undefined ? null : await this.blobs.getBlob(blob.name);
    if (blob === undefined || data === null || digestOf(data) !== blob.digest) {
      throw new VigilError("VIGIL_CLUSTER_SNAPSHOT_UNREACHABLE", `partition ${partition}: its snapshot's blob ${blob?.name ?? "(none)"} is missing or does not match its digest`);
    }
    return { snapshot: deserialize(data) as PartitionSnapshot, revision: entry.revision };
  }

  /** Write the next snapshot of the chain; refused (VIGIL_CLUSTER_SNAPSHOT_CONFLICT) when another writer came between. */
  async save(snapshot: PartitionSnapshot, previousRevision: number): Promise<number> {
    const encoded = serialize(snapshot);
    let record: Record = { snapshot };
    let blobName: string | undefined;
    if (encoded.byteLength > INLINE_LIMIT_BYTES) {
      blobName = `${partitionKey(snapshot.partition)}-${snapshot.epoch}-${snapshot.seq}`;
      await this.blobs.putBlob({ name: blobName }, encoded);
      record = { blob: { name: blobName, digest: digestOf(encoded), seq: snapshot.seq } };
    }
    try {
      const key = partitionKey(snapshot.partition);
      const value = serialize(record);
      return previousRevision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, previousRevision);
    } catch (err) {
      if (blobName !== undefined) await this.blobs.delete(blobName).catch(() => undefined);
      throw new VigilError("VIGIL_CLUSTER_SNAPSHOT_CONFLICT", `partition ${snapshot.partition}: the snapshot chain moved on under this writer`, { cause: err });
    }
  }
}

function digestOf(data: Uint8Array): string {
  return `SHA-256=${createHash("sha256").update(data).digest("base64url")}`;
}
