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
  return fnv1a32(entry.partitionKey(id)) % shards;
}
