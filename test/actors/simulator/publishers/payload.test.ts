/**
 * The wire formats of simulated readings are what ingest reads: decoded and
 * validated by the pipeline's one validation, every reading comes back with
 * the same unit, sensor, value, quality and timestamp.
 */
import { describe, expect, it } from "vitest";
import { isRejection, validateReading, type RawReading } from "../../../../src/actors/readings/index.js";
import { encodeBatch, encodeReading, Plant, ReadingGenerator, TIMESTAMP_FORMATS } from "../../../../src/actors/simulator/index.js";
import { MINUTE, T0 } from "../helpers.js";

const plant = new Plant({ seed: 3 });
plant.inject({ unit: "UNIT003", kind: "bad_quality", durationMs: MINUTE }, T0);
const batch = new ReadingGenerator(plant, { startAt: T0 }).nextBatch(500);
const now = batch.at(-1)!.timestamp;

describe.each(TIMESTAMP_FORMATS)("payloads with %s timestamps", (format) => {
  it("a single-reading payload validates back to the same reading", () => {
    for (const r of batch) {
      const decoded = JSON.parse(encodeReading(r, format)) as Omit<RawReading, "unit" | "sensor">;
      const reading = validateReading({ unit: r.unit, sensor: r.sensor, ...decoded }, "mqtt", now);
      expect(isRejection(reading)).toBe(false);
      expect(reading).toMatchObject({ unit: r.unit, sensor: r.sensor, value: r.value, quality: r.quality, ts: r.timestamp });
    }
  });

  it("a batch payload validates back to the same readings, and a slice encodes only its part", () => {
    const decoded = JSON.parse(encodeBatch(batch, format)) as RawReading[];
    expect(decoded.map((raw) => validateReading(raw, "nats", now))).toEqual(
      batch.map((r) => ({ unit: r.unit, sensor: r.sensor, value: r.value, quality: r.quality, ts: r.timestamp, source: "nats", receivedAt: now })),
    );
    expect(JSON.parse(encodeBatch(batch, format, 10, 13))).toEqual(decoded.slice(10, 13));
  });
});
