/**
 * The batch generator: readings at a target rate of simulated time, in
 * batches of any size, without waiting — what benches and tests use.
 */
import { describe, expect, it } from "vitest";
import { isRejection, validateReading } from "../../../src/actors/readings/index.js";
import { Plant, ReadingGenerator, RunToFailureFleet, type SimulatedReading } from "../../../src/actors/simulator/index.js";
import { HOUR, MINUTE, SECOND, T0 } from "./helpers.js";

describe("ReadingGenerator", () => {
  it("gives the same readings however they are cut into batches", () => {
    const whole = new ReadingGenerator(new Plant({ seed: 5 }), { startAt: T0 }).nextBatch(10_000);
    const pieces = new ReadingGenerator(new Plant({ seed: 5 }), { startAt: T0 });
    const cut: SimulatedReading[] = [];
    for (const size of [1, 7, 24, 25, 26, 999, 3]) pieces.nextBatch(size, cut);
    while (cut.length < 10_000) pieces.nextBatch(Math.min(333, 10_000 - cut.length), cut);
    expect(cut).toEqual(whole);
  });

  it("samples every unit once per tick, spacing ticks to give the target rate", () => {
    const plant = new Plant();
    const oneHz = new ReadingGenerator(plant, { startAt: T0 });
    expect(oneHz.tickIntervalMs).toBe(SECOND); // 25 sensors, 25 readings/s
    const fast = new ReadingGenerator(new Plant(), { startAt: T0, readingsPerSecond: 250 });
    expect(fast.tickIntervalMs).toBe(100);
    const readings = fast.nextBatch(25 * 3);
    expect(readings.map((r) => r.timestamp)).toEqual([...Array<number>(25).fill(T0), ...Array<number>(25).fill(T0 + 100), ...Array<number>(25).fill(T0 + 200)]);
    expect(fast.generated).toBe(75);
  });

  it("readingsUntil gives what is due up to an instant and carries on from there", () => {
    const generator = new ReadingGenerator(new Plant(), { startAt: T0 });
    expect(generator.readingsUntil(T0 + 2 * SECOND)).toHaveLength(3 * 25);
    expect(generator.readingsUntil(T0 + 2 * SECOND)).toEqual([]);
    expect(generator.nextTimestamp).toBe(T0 + 3 * SECOND);
    const capped = generator.readingsUntil(T0 + HOUR, [], 10);
    expect(capped).toHaveLength(10);
    expect(generator.readingsUntil(T0 + 3 * SECOND).map((r) => r.timestamp)).toEqual(Array<number>(15).fill(T0 + 3 * SECOND));
  });

  it("restartAt drops the rest of the tick in progress and starts a new timeline", () => {
    const generator = new ReadingGenerator(new Plant(), { startAt: T0 });
    generator.nextBatch(30);
    generator.restartAt(T0 + MINUTE);
    const next = generator.nextBatch(25);
    expect(next.map((r) => r.timestamp)).toEqual(Array<number>(25).fill(T0 + MINUTE));
    expect(next[0]?.unit).toBe("UNIT001");
  });

  it("produces 100,000 readings of 2,000 units in one batch, every one accepted by ingest validation", () => {
    const generator = new ReadingGenerator(new Plant({ units: 2_000, recordTruth: false }), { startAt: T0, readingsPerSecond: 500_000 });
    const batch = generator.nextBatch(100_000);
    expect(batch).toHaveLength(100_000);
    expect(new Set(batch.map((r) => r.unit)).size).toBe(2_000);
    const now = batch.at(-1)!.timestamp;
    expect(batch.filter((r) => isRejection(validateReading(r, "simulator", now)))).toEqual([]);
  });

  it("produces 100,000 run-to-failure readings in one batch", () => {
    const batch = new ReadingGenerator(new RunToFailureFleet({ units: 1_000, recordTruth: false }), { startAt: T0 }).nextBatch(100_000);
    expect(batch).toHaveLength(100_000);
    expect(batch.every((r) => r.rulCycles !== null && r.rulCycles >= 0)).toBe(true);
  });

  it("returns a short batch rather than spinning when every unit stays offline", () => {
    const plant = new Plant({ units: 2 });
    for (const unit of plant.unitIds) plant.inject({ unit, kind: "unit_offline", durationMs: 1_000 * HOUR }, T0);
    expect(new ReadingGenerator(plant, { startAt: T0 }).nextBatch(10)).toEqual([]);
  });

  it("refuses a rate that is not a positive number", () => {
    for (const readingsPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ReadingGenerator(new Plant(), { startAt: T0, readingsPerSecond })).toThrow(RangeError);
    }
  });
});
