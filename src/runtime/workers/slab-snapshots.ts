/**
 * A shard worker's snapshot store: every snapshot is encoded (plain-data.ts,
 * or v8 serialize for what that does not hold) into the slab being filled,
 * which is posted to main with the worker's next batch and kept here too;
 * the worker decodes an actor's pieces only when it restores the actor. See
 * snapshot-slabs.ts for why slabs.
 *
 * A state that cannot be encoded (not structured-cloneable) is kept here as
 * the object itself: it stays on this worker, main's copy stays as it was,
 * and the actor's next snapshot is taken in full.
 */
import { serialize } from "node:v8";
import type { Logger } from "pino";
import type { ActorAddress } from "../address.js";
import type { ShardSnapshots, StoredSnapshot } from "../shard-snapshots.js";
import { decodePiece, PlainWriter } from "./plain-data.js";
import { PIECE_CHANGE, PIECE_DROP, PIECE_FULL, Slab, SlabIndex, type SnapshotBatch, type SnapshotRecord } from "./snapshot-slabs.js";

/** The encoder's buffer starts at this size and is kept up to the next bound between posts. */
const FIRST_BUFFER_BYTES = 64 * 1024;
const KEPT_BUFFER_BYTES = 1024 * 1024;

export class SlabSnapshots implements ShardSnapshots {
  /** Snapshots that could not be encoded, as objects; an address is here or in the index, never both. */
  private readonly local = new Map<ActorAddress, StoredSnapshot>();
  /** The encoder, whose buffer's first `used` bytes are the slab being filled. */
  private readonly writer = new PlainWriter(FIRST_BUFFER_BYTES);
  /** Length of the value encode() appended last. */
  private lastLength = 0;
  private filling: Slab | null = null;
  private pieceAddresses: ActorAddress[] = [];
  private pieceMeta: number[] = [];

  /**
   * @param index the snapshots this worker starts with (main's, after a crash)
   * @param queued called after each snapshot queued for main
   */
  constructor(
    private readonly index: SlabIndex,
    private readonly log: Logger,
    private readonly queued: () => void,
  ) {}

  get size(): number {
    return this.index.size + this.local.size;
  }

  changesOf(address: ActorAddress): number | undefined {
    const record = this.index.get(address);
    if (record !== undefined) return record.pieces - 1;
    return this.local.get(address)?.changes.length;
  }

  putFull(address: ActorAddress, state: unknown): boolean {
    const encoded = this.encode(address, state);
    if (encoded === undefined) {
      this.index.delete(address);
      this.local.set(address, { state, changes: [] });
      return false;
    }
    this.local.delete(address);
    this.index.putFull(address, encoded, this.writer.used - this.lastLength, this.lastLength);
    this.queue(address, state === undefined ? PIECE_DROP : PIECE_FULL);
    return true;
  }

  putChange(address: ActorAddress, change: unknown): boolean {
    const kept = this.local.get(address);
    if (kept !== undefined) {
      kept.changes.push(change);
      return false;
    }
    const record = this.index.get(address);
    if (record === undefined) return true; // no snapshot for it to go on (as before: the change is not kept)
    const encoded = this.encode(address, change);
    if (encoded === undefined) {
      // Main's copy lacks this change from now on; here the whole snapshot goes on as objects.
      const stored = decode(record);
      stored.changes.push(change);
      this.index.delete(address);
      this.local.set(address, stored);
      return false;
    }
    this.index.putChange(address, encoded, this.writer.used - this.lastLength, this.lastLength);
    this.queue(address, PIECE_CHANGE);
    return true;
  }

  read(address: ActorAddress): StoredSnapshot | undefined {
    const record = this.index.get(address);
    if (record !== undefined) return decode(record);
    return this.local.get(address);
  }

  *addresses(): IterableIterator<ActorAddress> {
    yield* this.index.addresses();
    yield* this.local.keys();
  }

  /** The slab filled since the last call, for main; undefined when none was. */
  seal(): SnapshotBatch | undefined {
    const slab = this.filling;
    if (slab === null) return undefined;
    const writer = this.writer;
    slab.bytes = writer.buffer.slice(0, writer.used);
    this.index.seal(slab);
    const batch: SnapshotBatch = { bytes: slab.bytes, addresses: this.pieceAddresses, meta: Int32Array.from(this.pieceMeta) };
    this.filling = null;
    this.pieceAddresses = [];
    this.pieceMeta = [];
    if (writer.buffer.byteLength > KEPT_BUFFER_BYTES) writer.reset(FIRST_BUFFER_BYTES);
    else writer.used = 0;
    return batch;
  }

  /** Appends the value to the slab being filled; undefined (logged) when it cannot be cloned. */
  private encode(address: ActorAddress, value: unknown): Slab | undefined {
    const writer = this.writer;
    const start = writer.used;
    if (!writer.write(value)) {
      try {
        writer.append(serialize(value));
      } catch (err) {
        this.log.error({ actor: address, err }, "snapshot cannot be cloned; it stays local to this worker");
        return undefined;
      }
    }
    this.lastLength = writer.used - start;
    // Pieces of a slab being filled read from the buffer itself (an actor may be restored before the post).
    const slab = (this.filling ??= new Slab(writer.buffer));
    slab.bytes = writer.buffer;
    return slab;
  }

  private queue(address: ActorAddress, kind: number): void {
    this.pieceAddresses.push(address);
    this.pieceMeta.push(kind, this.writer.used - this.lastLength, this.lastLength);
    this.queued();
  }
}

function decode(record: SnapshotRecord): StoredSnapshot {
  const changes: unknown[] = [];
  for (let i = 1; i < record.pieces; i++) changes.push(decodePiece(record.bytesOf(i)));
  return { state: decodePiece(record.bytesOf(0)), changes };
}
