/**
 * Main's copy of a worker's snapshots, kept as the bytes the worker encoded.
 * Main only hands them back to a replacement worker, so it never needs them
 * as objects: decoded, every snapshot and change (about a thousand a second
 * under load) would be a young object graph kept alive until the next full
 * snapshot, and copying those out of the young generation was most of
 * main's minor GC time. Bytes live off the JS heap.
 */
import { deserialize, serialize } from "node:v8";
import type { ActorAddress } from "../address.js";
import type { StoredSnapshot } from "../shard.js";

/** An actor's last full snapshot and the changes taken since, oldest first, encoded. */
export interface EncodedSnapshot {
  state: Uint8Array;
  changes: Uint8Array[];
}

/** Throws (a DataCloneError) when the state is not structured-cloneable. */
export function encodeSnapshot(state: unknown): Uint8Array {
  return serialize(state);
}

export function decodeSnapshots(encoded: readonly (readonly [ActorAddress, EncodedSnapshot])[]): [ActorAddress, StoredSnapshot][] {
  return encoded.map(([address, e]) => [address, { state: deserialize(e.state) as unknown, changes: e.changes.map((c) => deserialize(c) as unknown) }]);
}
