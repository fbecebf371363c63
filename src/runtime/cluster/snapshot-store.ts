/**
 * Partition snapshots: the states of a partition's actors and the last
 * ingest sequence they reflect, one key per partition in a key-value bucket.
 * Each write is a compare-and-set on the revision the writer last read or
 * wrote, so the chain of snapshots has one writer at a time: an owner whose
 * write is refused has been superseded and must stop. States are encoded
 * with v8's serializer (typed arrays and maps survive). A snapshot too big
 * for a key's value goes to the object store under its own name, the key
 * keeping only the name and digest.
 *
 * Blobs are garbage once the chain has moved past them: after each write the
 * partition's blobs other than the newest `KEPT_BLOBS` records' are deleted
 * (the predecessor is kept so a new owner that read the previous record can
 * still fetch it), and a takeover's load sweeps what a crashed writer left
 * behind — so the object store holds a bounded number per partition.
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
/** Records of a partition's chain whose blobs are kept: the newest and its predecessor. */
export const KEPT_BLOBS = 2;

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
  /** Per partition, the blob names (undefined: stored inline) of the newest records this store read or wrote, oldest first. */
  private readonly chains = new Map<number, (string | undefined)[]>();
  /** Per partition, the sweep a takeover started, until it is done (writes and listings wait for it). */
  private readonly sweeping = new Map<number, Promise<void>>();

  private constructor(
    private readonly kv: KV,
    private readonly blobs: ObjectStore,
  ) {}

  static async open(js: JetStreamClient, options: ClusterOptions): Promise<SnapshotStore> {
    const kv = await new Kvm(js).create(CLUSTER_NAMES.snapshots, { history: 1, replicas: options.replicas });
    const blobs = await new Objm(js).create(CLUSTER_NAMES.snapshotBlobs, { replicas: options.replicas });
    return new SnapshotStore(kv, blobs);
  }

  /** The partition's current snapshot; a takeover calls it, so blobs no record names any more are swept here. */
  async load(partition: number): Promise<StoredPartitionSnapshot> {
    const entry = await this.kv.get(partitionKey(partition));
    if (entry === null || entry.operation !== "PUT") {
      this.chains.set(partition, []);
      this.startSweep(partition, []);
      return { snapshot: undefined, revision: entry?.revision ?? 0 };
    }
    const record = deserialize(entry.value) as Record;
    this.chains.set(partition, [record.blob?.name]);
    this.startSweep(partition, record.blob === undefined ? [] : [record.blob.name]);
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
    // A sweep still listing could take this write's new blob for garbage before its record names it.
    await this.sweeping.get(snapshot.partition);
    const encoded = serialize(snapshot);
    let record: Record = { snapshot };
    let blobName: string | undefined;
    if (encoded.byteLength > INLINE_LIMIT_BYTES) {
      // The previous revision makes the name unique along the chain (one sequence may be snapshotted twice).
      blobName = `${blobPrefix(snapshot.partition)}${snapshot.epoch}-${snapshot.seq}-${previousRevision}`;
      await this.blobs.putBlob({ name: blobName }, encoded);
      record = { blob: { name: blobName, digest: digestOf(encoded), seq: snapshot.seq } };
    }
    let revision: number;
    try {
      const key = partitionKey(snapshot.partition);
      const value = serialize(record);
      revision = previousRevision === 0 ? await this.kv.create(key, value) : await this.kv.update(key, value, previousRevision);
    } catch (err) {
      if (blobName !== undefined) await this.blobs.delete(blobName).catch(() => undefined);
      throw new VigilError("VIGIL_CLUSTER_SNAPSHOT_CONFLICT", `partition ${snapshot.partition}: the snapshot chain moved on under this writer`, { cause: err });
    }
    await this.trim(snapshot.partition, blobName);
    return revision;
  }

  /** Names of the partition's blobs in the object store (for the specs and operators). */
  async blobNames(partition: number): Promise<string[]> {
    await this.sweeping.get(partition);
    const prefix = blobPrefix(partition);
    return (await this.blobs.list()).filter((o) => !o.deleted && o.name.startsWith(prefix)).map((o) => o.name);
  }

  /** After a write: the blobs of records older than the newest KEPT_BLOBS are garbage. */
  private async trim(partition: number, written: string | undefined): Promise<void> {
    const chain = this.chains.get(partition) ?? [];
    chain.push(written);
    const dropped = chain.splice(0, Math.max(0, chain.length - KEPT_BLOBS));
    this.chains.set(partition, chain);
    const kept = new Set(chain);
    // Not fatal: a blob left behind is swept at the partition's next takeover.
    await Promise.all(dropped.filter((name): name is string => name !== undefined && !kept.has(name)).map((name) => this.blobs.delete(name).catch(() => undefined)));
  }

  /**
   * The sweep runs beside the takeover rather than before it: it lists the
   * whole object store (every partition's blobs), and a failover takes many
   * partitions at once, each waiting on its own listing before consuming.
   * Not fatal either way: what it leaves is swept at the next takeover.
   */
  private startSweep(partition: number, keep: string[]): void {
    const sweep = this.sweep(partition, keep).catch(() => undefined);
    this.sweeping.set(partition, sweep);
    void sweep.then(() => {
      if (this.sweeping.get(partition) === sweep) this.sweeping.delete(partition);
    });
  }

  /** Deletes the partition's blobs other than `keep` (left by writers that crashed between a blob and its record). */
  private async sweep(partition: number, keep: string[]): Promise<void> {
    const names = await this.blobNames(partition);
    await Promise.all(names.filter((name) => !keep.includes(name)).map((name) => this.blobs.delete(name).catch(() => undefined)));
  }
}

/** `p<N>-`: every blob of one partition starts with it (and no other partition's does). */
function blobPrefix(partition: number): string {
  return `${partitionKey(partition)}-`;
}

function digestOf(data: Uint8Array): string {
  return `SHA-256=${createHash("sha256").update(data).digest("base64url")}`;
}
