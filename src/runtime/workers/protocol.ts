/**
 * The messages shard workers and the main thread exchange. Envelopes and
 * replies always travel in batches: one postMessage carries many messages,
 * which is what makes cross-worker messaging cheap.
 */
import type { MessagePort } from "node:worker_threads";
import type { Reply } from "../envelope.js";
import type { SerializedError } from "../errors.js";
import type { RuntimeEvent } from "../events.js";
import type { KindStats } from "../kind-registry.js";
import type { ShardStats } from "../shard.js";
import type { SnapshotBatch, StoredSlabs } from "./snapshot-slabs.js";
import type { ShardSettings } from "./settings.js";

/**
 * Envelopes as parallel arrays: structured clone copies arrays of strings and
 * a typed array far faster than an object per message (about half the cost
 * per message, measured), and cloning is most of what crossing a thread costs.
 */
export interface PackedEnvelopes {
  /** Each envelope's address, as an index into the receiver's addresses from this sender (see AddressTable). */
  to: Uint32Array;
  /** Addresses new to the receiver, which take indices from `tableFrom` on (its addresses past that are dropped first). */
  names: string[];
  tableFrom: number;
  /** Holey: empty where the message travels in its kind's codec columns; absent when every message does. */
  msg?: unknown[];
  /** Holey: empty where no actor sent it; absent when none did. */
  from?: string[];
  /** ask, origin, credit for each envelope, in order. */
  meta: Int32Array;
  /** Messages sent as their kind's codec columns; their `msg` entries are left empty. */
  coded?: CodedMessages[];
}

/** One kind's messages of a batch in its codec's columns. */
export interface CodedMessages {
  kind: string;
  /** Positions of the messages in the batch, in order. */
  at: Int32Array;
  columns: unknown;
}

export interface Batch {
  t: "batch";
  e?: PackedEnvelopes;
  r?: Reply[];
  /** Snapshots a worker took since its last batch, encoded in one slab (snapshot-slabs.ts). */
  s?: SnapshotBatch;
  ev?: RuntimeEvent[];
  /**
   * Publications for the node's outlet, in order: each one's subject as an
   * index into the receiver's subjects from this sender (an AddressTable of
   * their own: a sensor publishes reading after reading on one subject), and
   * its JSON payload.
   */
  ps?: Uint32Array;
  /** Subjects new to the receiver, which take indices from `psFrom` on (its subjects past that are dropped first). */
  psNames?: string[];
  psFrom?: number;
  pj?: string[];
}

export type ToWorker =
  | Batch
  | { t: "peer"; index: number; port: MessagePort }
  | { t: "peer-down"; index: number }
  | { t: "stats"; id: number }
  | { t: "stop" };

export type FromWorker =
  | Batch
  | { t: "ready" }
  | { t: "peer-down-ack"; index: number }
  | { t: "stats"; id: number; kinds: Record<string, KindStats>; shard: ShardStats }
  | { t: "stopped" }
  | { t: "fatal"; error: SerializedError };

/** What a shard worker is started with (workerData). */
export interface WorkerInit {
  index: number;
  workers: number;
  kindModules: string[];
  kindConfig: unknown;
  settings: ShardSettings;
  /** Int32 counters shared by all threads; see counters.ts. */
  counters: SharedArrayBuffer;
  /** Main's copy of the snapshots of the worker's actors (a replacement's start). */
  snapshots: StoredSlabs;
  logLevel: string;
}
