/**
 * Where a shard keeps its actors' last snapshots, for reactivation and (on a
 * shard worker) for the copy main holds against a crash. A shard on the
 * process's own thread keeps the objects themselves; a shard worker keeps
 * them encoded in slabs (workers/slab-snapshots.ts), the same bytes it posts
 * to main, so the states of thousands of actors are not an object graph that
 * outlives every young-generation collection.
 */
import type { ActorAddress } from "./address.js";

/** An actor's last full snapshot and the changes taken since, oldest first. */
export interface StoredSnapshot {
  state: unknown;
  changes: unknown[];
}

export interface ShardSnapshots {
  readonly size: number;
  /** Changes kept on top of the actor's full snapshot; undefined when it has none. */
  changesOf(address: ActorAddress): number | undefined;
  /**
   * Keep a full snapshot in place of what the actor had. False when it is
   * kept but its copy off this thread is now behind (it could not be
   * cloned): the actor's next snapshot must be full.
   */
  putFull(address: ActorAddress, state: unknown): boolean;
  /** Keep a change on top of the actor's snapshot (changesOf is defined). False as for putFull. */
  putChange(address: ActorAddress, change: unknown): boolean;
  /** A copy to restore from, or undefined. */
  read(address: ActorAddress): StoredSnapshot | undefined;
  addresses(): IterableIterator<ActorAddress>;
}

/** The objects as taken: for a shard whose thread is the process (nothing to copy them off to). */
export class ObjectSnapshots implements ShardSnapshots {
  private readonly kept = new Map<ActorAddress, StoredSnapshot>();

  get size(): number {
    return this.kept.size;
  }

  changesOf(address: ActorAddress): number | undefined {
    return this.kept.get(address)?.changes.length;
  }

  putFull(address: ActorAddress, state: unknown): boolean {
    this.kept.set(address, { state, changes: [] });
    return true;
  }

  putChange(address: ActorAddress, change: unknown): boolean {
    this.kept.get(address)?.changes.push(change);
    return true;
  }

  read(address: ActorAddress): StoredSnapshot | undefined {
    return this.kept.get(address);
  }

  addresses(): IterableIterator<ActorAddress> {
    return this.kept.keys();
  }
}
