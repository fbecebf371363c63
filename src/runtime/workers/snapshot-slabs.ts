/**
 * Encoded snapshots kept in slabs: a shard worker encodes the snapshots it
 * takes between two posts to main one after another into one buffer (a
 * slab), and both the worker and main keep each actor's snapshot as pieces
 * (slab, offset, length) of the slabs. A checkpoint of a thousand actors is
 * then a few slabs, not a thousand small arrays that each live until the
 * actor's next snapshot (long enough to be promoted, and then marked and
 * compacted by every full collection on main).
 *
 * A slab is released once every piece in it is superseded (by the actor's
 * next full snapshot, or its drop). So that idle actors' pieces cannot hold
 * on to slabs of which little else is live, the live pieces of mostly
 * superseded slabs are copied together into a new one when the slabs held
 * come to more than twice the live bytes.
 */
import type { ActorAddress } from "../address.js";

/** A full snapshot (supersedes the actor's pieces). */
export const PIECE_FULL = 0;
/** A change on top of the actor's full snapshot. */
export const PIECE_CHANGE = 1;
/** The actor's snapshot is gone (it snapshotted `undefined`): main forgets it; the worker keeps the encoded undefined as a full one. */
export const PIECE_DROP = 2;

/** What a worker posts to main after taking snapshots: one slab and its pieces, in the order taken. */
export interface SnapshotBatch {
  bytes: Uint8Array;
  addresses: ActorAddress[];
  /** Per piece: PIECE_*, offset, length. */
  meta: Int32Array;
}

/** Main's slabs as handed to a replacement worker. */
export interface StoredSlabs {
  slabs: Uint8Array[];
  addresses: ActorAddress[];
  /** Per address: its piece count, then slab index, offset, length per piece (full first). */
  pieces: Int32Array;
}

/** Past this many bytes held... */
const COMPACT_FROM_BYTES = 256 * 1024;
/** ...and more than this many times the bytes of live pieces, the live pieces of the mostly superseded slabs are copied together. */
const COMPACT_ABOVE = 2;

export class Slab {
  /** Pieces in it not superseded. */
  live = 0;
  liveBytes = 0;
  /** Still being filled: counted, and copied from, only once sealed. */
  sealed = false;
  constructor(public bytes: Uint8Array) {}
}

/** Stands in a record for a released piece, so the record does not keep its slab. */
const RELEASED = new Slab(new Uint8Array(0));

/**
 * An actor's snapshot: the full state's piece and its changes', oldest first.
 * The arrays are reused from snapshot to snapshot (never shrunk: emptied,
 * V8 would give them new backing stores, one more retained object per snapshot).
 */
export class SnapshotRecord {
  pieces = 0;
  readonly slabs: Slab[] = [];
  readonly offsets: number[] = [];
  readonly lengths: number[] = [];

  bytesOf(i: number): Uint8Array {
    const offset = this.offsets[i] as number;
    return (this.slabs[i] as Slab).bytes.subarray(offset, offset + (this.lengths[i] as number));
  }
}

export class SlabIndex {
  private readonly records = new Map<ActorAddress, SnapshotRecord>();
  private slabCount = 0;
  private slabBytes = 0;
  private live = 0;

  get size(): number {
    return this.records.size;
  }

  /** Sealed slabs held (for specs and metrics). */
  get heldSlabs(): number {
    return this.slabCount;
  }

  /** Bytes of the sealed slabs held. */
  get heldBytes(): number {
    return this.slabBytes;
  }

  /** Bytes of the pieces not superseded. */
  get liveBytes(): number {
    return this.live;
  }

  get(address: ActorAddress): SnapshotRecord | undefined {
    return this.records.get(address);
  }

  addresses(): IterableIterator<ActorAddress> {
    return this.records.keys();
  }

  putFull(address: ActorAddress, slab: Slab, offset: number, length: number): void {
    let record = this.records.get(address);
    if (record === undefined) {
      record = new SnapshotRecord();
      this.records.set(address, record);
    } else {
      this.release(record);
    }
    this.add(record, slab, offset, length);
  }

  /** False when the actor has no full snapshot here for the change to go on. */
  putChange(address: ActorAddress, slab: Slab, offset: number, length: number): boolean {
    const record = this.records.get(address);
    if (record === undefined) return false;
    this.add(record, slab, offset, length);
    return true;
  }

  delete(address: ActorAddress): void {
    const record = this.records.get(address);
    if (record === undefined) return;
    this.release(record);
    this.records.delete(address);
  }

  /** Main's side: take a worker's batch. */
  apply(batch: SnapshotBatch): void {
    const slab = new Slab(batch.bytes);
    const { addresses, meta } = batch;
    for (let i = 0; i < addresses.length; i++) {
      const address = addresses[i] as ActorAddress;
      const kind = meta[3 * i] as number;
      const offset = meta[3 * i + 1] as number;
      const length = meta[3 * i + 2] as number;
      if (kind === PIECE_DROP) this.delete(address);
      else if (kind === PIECE_FULL) this.putFull(address, slab, offset, length);
      // A change with no snapshot under it cannot be used (its snapshot failed to cross); the worker retakes it in full.
      else this.putChange(address, slab, offset, length);
    }
    this.seal(slab);
  }

  /** The slab is filled: from now on it counts, and its live pieces may be copied out. */
  seal(slab: Slab): void {
    this.count(slab);
    if (this.slabBytes > COMPACT_FROM_BYTES && this.slabBytes > COMPACT_ABOVE * this.live) this.compact();
  }

  export(): StoredSlabs {
    const slabs: Uint8Array[] = [];
    const slabIds = new Map<Slab, number>();
    const addresses: ActorAddress[] = [];
    const pieces: number[] = [];
    for (const [address, record] of this.records) {
      addresses.push(address);
      pieces.push(record.pieces);
      for (let i = 0; i < record.pieces; i++) {
        const slab = record.slabs[i] as Slab;
        let id = slabIds.get(slab);
        if (id === undefined) {
          id = slabs.length;
          slabs.push(slab.bytes);
          slabIds.set(slab, id);
        }
        pieces.push(id, record.offsets[i] as number, record.lengths[i] as number);
      }
    }
    return { slabs, addresses, pieces: Int32Array.from(pieces) };
  }

  static import(stored: StoredSlabs): SlabIndex {
    const index = new SlabIndex();
    const slabs = stored.slabs.map((bytes) => new Slab(bytes));
    let at = 0;
    for (const address of stored.addresses) {
      const count = stored.pieces[at++] as number;
      for (let i = 0; i < count; i++) {
        const slab = slabs[stored.pieces[at] as number] as Slab;
        const offset = stored.pieces[at + 1] as number;
        const length = stored.pieces[at + 2] as number;
        at += 3;
        if (i === 0) index.putFull(address, slab, offset, length);
        else index.putChange(address, slab, offset, length);
      }
    }
    for (const slab of slabs) index.count(slab);
    return index;
  }

  private count(slab: Slab): void {
    slab.sealed = true;
    if (slab.live === 0) return;
    this.slabCount++;
    this.slabBytes += slab.bytes.byteLength;
  }

  private add(record: SnapshotRecord, slab: Slab, offset: number, length: number): void {
    const i = record.pieces++;
    record.slabs[i] = slab;
    record.offsets[i] = offset;
    record.lengths[i] = length;
    slab.live++;
    slab.liveBytes += length;
    this.live += length;
  }

  private release(record: SnapshotRecord): void {
    for (let i = 0; i < record.pieces; i++) {
      const slab = record.slabs[i] as Slab;
      record.slabs[i] = RELEASED;
      this.unref(slab, record.lengths[i] as number);
    }
    record.pieces = 0;
  }

  private unref(slab: Slab, length: number): void {
    slab.live--;
    slab.liveBytes -= length;
    this.live -= length;
    if (slab.sealed && slab.live === 0) {
      this.slabCount--;
      this.slabBytes -= slab.bytes.byteLength;
    }
  }

  /**
   * Copies the live pieces of every sealed slab that is less than half live
   * into one new slab. Run when the slabs held are over COMPACT_ABOVE times
   * the live bytes, it copies at most the live bytes each time, and at least
   * as many bytes were superseded since the last time: amortised, a byte
   * superseded costs a byte copied.
   */
  private compact(): void {
    const sparse = (slab: Slab): boolean => slab.sealed && slab.liveBytes * 2 < slab.bytes.byteLength;
    let total = 0;
    for (const record of this.records.values()) {
      for (let i = 0; i < record.pieces; i++) if (sparse(record.slabs[i] as Slab)) total += record.lengths[i] as number;
    }
    if (total === 0) return;
    const into = new Slab(new Uint8Array(total));
    let at = 0;
    for (const record of this.records.values()) {
      for (let i = 0; i < record.pieces; i++) {
        const slab = record.slabs[i] as Slab;
        if (!sparse(slab)) continue;
        const length = record.lengths[i] as number;
        into.bytes.set(record.bytesOf(i), at);
        this.unref(slab, length);
        record.slabs[i] = into;
        record.offsets[i] = at;
        into.live++;
        into.liveBytes += length;
        this.live += length;
        at += length;
      }
    }
    this.count(into);
  }
}
