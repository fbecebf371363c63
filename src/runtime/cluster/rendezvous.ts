/**
 * Who should own a partition: rendezvous (highest random weight) hashing
 * over the live members. Every node computes the same answer from the same
 * member list, and a member joining or leaving moves only the partitions it
 * wins or held — about 1/N of them.
 */
import { fnv1a32 } from "../hash.js";

export function ownerOf(partition: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const weight = mix(fnv1a32(`${member}#${partition}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}

/** The partitions `member` should own among `members`. */
export function partitionsOf(member: string, members: readonly string[], partitions: number): number[] {
  const owned: number[] = [];
  for (let p = 0; p < partitions; p++) if (ownerOf(p, members) === member) owned.push(p);
  return owned;
}

/** FNV-1a's low bits follow its last bytes closely; a finaliser (murmur3's) spreads them before comparing. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
