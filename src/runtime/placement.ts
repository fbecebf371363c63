/**
 * Which shard hosts an address: FNV-1a of the kind's partition key, modulo
 * the shard count. Every thread computes the same answer with no lookup
 * table, so placement costs no memory per actor.
 */
import type { ActorAddress } from "./address.js";
import { fnv1a32 } from "./hash.js";
import type { KindEntry } from "./kind-registry.js";

export function shardOf(entry: KindEntry, address: ActorAddress, shards: number): number {
  if (shards === 1) return 0;
  const id = address.slice(entry.name.length + 1);
  return shardOfKey(entry.partitionKey(id), shards);
}

function shardOfKey(key: string, shards: number): number {
  return shards === 1 ? 0 : fnv1a32(key) % shards;
}

/**
 * One partition key per shard, each placed on its own shard: how a message
 * reaches every shard (e.g. to update a per-worker cache) without a
 * broadcast primitive. Keys are `<prefix><n>` for the smallest n that fit.
 */
export function keysForEveryShard(shards: number, prefix: string): string[] {
  const count = Math.max(1, shards);
  const keys: (string | undefined)[] = new Array<string | undefined>(count).fill(undefined);
  let found = 0;
  for (let n = 0; found < count; n++) {
    const key = `${prefix}${n}`;
    const shard = shardOfKey(key, count);
    if (keys[shard] === undefined) {
      keys[shard] = key;
      found++;
    }
  }
  return keys as string[];
}
