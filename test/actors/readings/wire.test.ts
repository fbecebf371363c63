import { describe, expect, it } from "vitest";
import { readingCodec, type Reading } from "../../../src/actors/readings/index.js";

const readings: Reading[] = [
  { unit: "UNIT001", sensor: "temperature", value: 25.5, quality: "GOOD", ts: 1_704_110_400_000.125, source: "nats", receivedAt: 1_704_110_400_003 },
  { unit: "UNIT002", sensor: "pressure", value: -0.0001, quality: "BAD", ts: 1_704_110_400_001, source: "opcua", receivedAt: 1_704_110_400_004 },
  { unit: "U-3", sensor: "flow_rate", value: 1e300, quality: "UNCERTAIN", ts: 1, source: "import", receivedAt: 2 },
];

describe("the reading codec (sensor messages across threads)", () => {
  it("gives back every reading equal, field for field and in order, after its columns are structured-cloned", () => {
    const columns = structuredClone(readingCodec.encode(readings));
    const back = readingCodec.decode(columns);
    expect(back).toEqual(readings);
    expect(back.map((r) => Object.keys(r))).toEqual(readings.map((r) => Object.keys(r)));
  });

  it("carries each distinct unit and sensor id once, however many readings of the batch name it", () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ ...(readings[i % 3] as Reading), ts: i }));
    const columns = readingCodec.encode(many) as { ids: string[] };
    expect([...columns.ids].sort()).toEqual(["U-3", "UNIT001", "UNIT002", "flow_rate", "pressure", "temperature"]);
    expect(readingCodec.decode(structuredClone(columns))).toEqual(many);
  });

  it("takes readings only: a query, a non-object, an unknown quality or source is left to structured clone", () => {
    expect(readingCodec.accepts(readings[0])).toBe(true);
    expect(readingCodec.accepts({ type: "get" })).toBe(false);
    expect(readingCodec.accepts(42)).toBe(false);
    expect(readingCodec.accepts(null)).toBe(false);
    expect(readingCodec.accepts({ ...readings[0], quality: "SO-SO" })).toBe(false);
    expect(readingCodec.accepts({ ...readings[0], source: "carrier-pigeon" })).toBe(false);
    expect(readingCodec.accepts({ ...readings[0], value: "25.5" })).toBe(false);
  });
});
