/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of a key. It is the hash NATS subject
 * mapping uses for `{{partition(N, token)}}`, so a worker or a cluster
 * partition computed here agrees with the server's choice.
 */
const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const encoder = new TextEncoder();

export function fnv1a32(key: string): number {
  let hash = FNV_OFFSET_BASIS;
  // ASCII fast path: the common case for unit ids, no allocation.
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return fnv1a32Bytes(encoder.encode(key));
    hash ^= c;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

function fnv1a32Bytes(bytes: Uint8Array): number {
  let hash = FNV_OFFSET_BASIS;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash >>> 0;
}

export function partitionOf(key: string, partitions: number): number {
  return fnv1a32(key) % partitions;
}
