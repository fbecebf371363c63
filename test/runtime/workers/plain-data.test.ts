/**
 * The compact encoding of snapshots in slabs (src/runtime/workers/plain-data.ts):
 * whatever a worker stores, a replacement worker gets back what structured
 * clone would have given, whether the compact encoding held it or v8's did.
 * A "crash" is a new worker store started from main's export, as in
 * snapshot-slabs.test.ts.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { RollingFeatures } from "../../../src/ml/index.js";
import { PlainWriter } from "../../../src/runtime/workers/plain-data.js";
import { SlabSnapshots } from "../../../src/runtime/workers/slab-snapshots.js";
import { SlabIndex } from "../../../src/runtime/workers/snapshot-slabs.js";

const silent = pino({ level: "silent" });

/** What a replacement worker restores of `state`, stored as a full snapshot and posted once. */
function afterCrash(state: unknown): unknown {
  const main = new SlabIndex();
  const worker = new SlabSnapshots(new SlabIndex(), silent, () => undefined);
  worker.putFull("a/x", state);
  const batch = worker.seal();
  if (batch !== undefined) main.apply(structuredClone(batch));
  return new SlabSnapshots(SlabIndex.import(structuredClone(main.export())), silent, () => undefined).read("a/x")?.state;
}

class Gauge {
  constructor(readonly level: number) {}
}

describe("a replacement worker", () => {
  it("gets plain data back as structured clone gives it: every kind of number, strings of any characters, nesting, samples", () => {
    const samples = new Float64Array([1.5, -2.25, Number.NaN, 4]);
    const state = {
      ints: [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 53],
      doubles: [-0, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE],
      strings: ["", "GOOD", "café ÿ", "Δp 🌡", "\ud800 lone", "x".repeat(10_000)],
      flags: [true, false, null, undefined],
      nested: { deep: { deeper: [[], {}, [{ a: 1 }]] } },
      absent: undefined,
      samples,
      window: samples.subarray(1, 3),
      bare: Object.assign(Object.create(null) as object, { k: 1 }),
      "": "empty key",
      7: "index-like key",
    };
    expect(afterCrash(state)).toStrictEqual(structuredClone(state));
  });

  it("gets back what the compact encoding does not hold (a Map, a Date, a class instance, a bigint, holes) as structured clone gives it", () => {
    const state = {
      alarms: new Map([["high", { since: 3 }]]),
      at: new Date(1_700_000_000_000),
      gauge: new Gauge(4),
      big: 10n ** 20n,
      sparse: [1, , 3], // eslint-disable-line no-sparse-arrays
      ints: new Int32Array([1, 2]),
    };
    expect(afterCrash(state)).toStrictEqual(structuredClone(state));
  });

  it("keeps an object referred to twice as one object, and a cycle as a cycle", () => {
    const shared = { level: 3 };
    const cyclic: { self?: unknown; n: number } = { n: 1 };
    cyclic.self = cyclic;
    const restored = afterCrash({ a: shared, b: shared, cyclic }) as { a: object; b: object; cyclic: { self: unknown } };
    expect(restored.a).toStrictEqual({ level: 3 });
    expect(restored.a).toBe(restored.b);
    expect(restored.cyclic.self).toBe(restored.cyclic);
  });

  it("gets an object with a __proto__ key of its own back with that key, not as its prototype", () => {
    const state = JSON.parse('{"__proto__": {"polluted": true}, "n": 1}') as object;
    const restored = afterCrash(state) as Record<string, unknown>;
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
    expect(Object.keys(restored)).toEqual(["__proto__", "n"]);
  });
});

describe("the compact encoding", () => {
  it("holds a sensor's windows, full and as a change, without falling back to v8's", () => {
    const features = new RollingFeatures({ counts: [5, 30], durationsMs: [60_000], ewmaAlpha: 0.2, maxSamples: 1024 });
    for (let i = 0; i < 100; i++) features.push(1_700_000_000_000 + i * 1000, 20 + Math.sin(i));
    const mark = features.sequence;
    features.push(1_700_000_100_000, 21);
    const writer = new PlainWriter(1024);
    expect(writer.write(features.snapshot())).toBe(true);
    expect(writer.write(features.changeSince(mark))).toBe(true);
  });
});
