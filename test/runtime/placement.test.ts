import { describe, expect, it } from "vitest";
import { defineActorKind, fnv1a32, partitionOf, type ActorKind } from "../../src/runtime/index.js";
import { KindRegistry, type KindEntry } from "../../src/runtime/kind-registry.js";
import { shardOf } from "../../src/runtime/placement.js";

/** FNV-1a over UTF-8 bytes, written out plainly as the reference. */
function referenceFnv1a(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, "utf8")) {
    hash ^= byte;
    hash = Number((BigInt(hash) * 0x01000193n) & 0xffffffffn);
  }
  return hash >>> 0;
}

function entryFor(kind: ActorKind): KindEntry {
  return new KindRegistry([kind]).get(kind.name) as KindEntry;
}

const sensor = defineActorKind<unknown>({ name: "sensor", create: () => ({ receive: () => undefined }) });

describe("FNV-1a partition hash", () => {
  it("matches the published 32-bit FNV-1a test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes the UTF-8 bytes of non-ASCII keys, as the NATS subject mapping does", () => {
    for (const key of ["UNIT001", "Kessel-Ä1", "泵站/3", "pump🙂"]) expect(fnv1a32(key), key).toBe(referenceFnv1a(key));
  });

  it("gives a partition in [0, N) equal to the hash modulo N", () => {
    for (const key of ["UNIT001", "UNIT002", "line-7"]) {
      expect(partitionOf(key, 12)).toBe(fnv1a32(key) % 12);
    }
  });
});

describe("placement", () => {
  it("puts every sensor of one unit on the shard FNV-1a of the unit picks (default partition key: first id segment)", () => {
    const entry = entryFor(sensor);
    for (const unit of ["UNIT001", "UNIT002", "UNIT003", "UNIT004"]) {
      const shards = ["temperature", "vibration", "pressure/inlet", "pressure/outlet"].map((s) => shardOf(entry, `sensor/${unit}/${s}`, 4));
      expect(new Set(shards), unit).toEqual(new Set([fnv1a32(unit) % 4]));
    }
    expect(shardOf(entry, "sensor/UNIT001", 4)).toBe(fnv1a32("UNIT001") % 4);
  });

  it("follows a kind's own partitionKey when it declares one", () => {
    const byLine = defineActorKind<unknown>({
      name: "cell",
      partitionKey: (id) => id.split("/")[1] ?? id,
      create: () => ({ receive: () => undefined }),
    });
    const entry = entryFor(byLine);
    expect(shardOf(entry, "cell/PLANT1/LINE7/a", 16)).toBe(fnv1a32("LINE7") % 16);
    expect(shardOf(entry, "cell/PLANT2/LINE7/b", 16)).toBe(fnv1a32("LINE7") % 16);
  });

  it("puts everything on shard 0 when there is one shard", () => {
    expect(shardOf(entryFor(sensor), "sensor/UNIT001/temperature", 1)).toBe(0);
  });
});
