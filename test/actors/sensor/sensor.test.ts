import { afterEach, describe, expect, it } from "vitest";
import { createKinds } from "../../../src/actors/kinds.js";
import type { ProcessedReading } from "../../../src/actors/readings/index.js";
import { sensorKind, resolveSensorSettings, StatisticalScorer, DEFAULT_SENSOR_TYPES, type ScorerFactory } from "../../../src/actors/sensor/index.js";
import { unitKind, resolveUnitSettings } from "../../../src/actors/unit/index.js";
import { EventLog } from "../../fixtures/actor-system.js";
import { seeded, startPipeline, steady, T0, UNIT, type Pipeline } from "./pipeline.js";

const S = 1000;
let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

/** Send `n` readings one second apart from `start` (seconds after T0); returns the next second. */
function feed(pl: Pipeline, sensor: string, n: number, value: (i: number) => number, start = 0): number {
  for (let i = 0; i < n; i++) pl.send(sensor, value(i), T0 + (start + i) * S);
  return start + n;
}

const last = (xs: ProcessedReading[]): ProcessedReading => xs.at(-1)!;

describe("a sensor actor", () => {
  it("raises no anomaly on a steady noisy signal", async () => {
    p = await startPipeline();
    feed(p, "temperature", 600, steady(20, 0.3, seeded(1)));
    await p.settle();
    expect(p.processed("temperature")).toHaveLength(600);
    expect(p.anomalies("temperature")).toEqual([]);
    expect(new Set(p.processed("temperature").map((r) => r.method))).toEqual(new Set(["STATISTICAL"]));
  });

  it("publishes a processed reading with every field of the contract", async () => {
    p = await startPipeline();
    p.send("pressure", 4.2, T0 - 5);
    await p.settle();
    expect(p.processed("pressure")).toEqual([
      {
        unit: UNIT, sensor: "pressure", ts: T0 - 5, value: 4.2, quality: "GOOD", source: "simulator",
        anomaly: false, score: 0, severity: null, category: null, method: "STATISTICAL", model_version: null,
        reasons: [], receivedAt: T0 - 5, processedAt: T0,
      },
    ]);
  });

  it.each([
    ["temperature", "THERMAL", 20, 0.3, 28],
    ["pressure", "PRESSURE", 4, 0.05, 6],
    ["flow_rate", "FLOW", 175, 2, 240],
    ["power", "ELECTRICAL", 75, 1, 95],
    ["vibration", "MECHANICAL", 2, 0.1, 5],
  ] as const)("flags a %s spike inside its band as a z-score anomaly of category %s, and the next reading as normal", async (sensor, category, centre, noise, spike) => {
    p = await startPipeline();
    const signal = steady(centre, noise, seeded(2));
    const next = feed(p, sensor, 100, signal);
    p.send(sensor, spike, T0 + next * S);
    p.send(sensor, signal(101), T0 + (next + 1) * S);
    await p.settle();
    const anomalies = p.anomalies(sensor);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ value: spike, anomaly: true, reasons: ["zscore"], category, severity: "HIGH", method: "STATISTICAL" });
    expect(anomalies[0]!.score).toBeGreaterThan(0.9);
    expect(last(p.processed(sensor)).anomaly).toBe(false);
  });

  it("grades a modest spike below a large one", async () => {
    p = await startPipeline();
    const signal = steady(20, 0.3, seeded(3));
    let next = feed(p, "temperature", 100, signal);
    const { features } = await p.view("temperature");
    const sd = features["c30_std"]!;
    p.send("temperature", features["c30_mean"]! + 5.6 * sd, T0 + next++ * S);
    next = feed(p, "temperature", 40, signal, next);
    p.send("temperature", 30, T0 + next * S);
    await p.settle();
    const [modest, large] = p.anomalies("temperature");
    expect(modest!.severity === "LOW" || modest!.severity === "MEDIUM").toBe(true);
    expect(large!.severity).toBe("HIGH");
    expect(modest!.score).toBeLessThan(large!.score);
  });

  describe("flat-line detection", () => {
    it("flags the sensor stuck once the value has not changed for the configured count, and clears when it moves", async () => {
      p = await startPipeline({ sensor: { stuck: { readings: 5 } } });
      const signal = steady(20, 0.3, seeded(4));
      let next = feed(p, "temperature", 60, signal);
      await p.settle();
      const held = last(p.processed("temperature")).value; // it freezes at what it last showed
      next = feed(p, "temperature", 8, () => held, next);
      feed(p, "temperature", 5, (i) => signal(next + i), next);
      await p.settle();
      const tail = p.processed("temperature").slice(60);
      expect(tail.map((r) => r.reasons)).toEqual([
        // held for 8 readings: with the reading it froze at, 5 equal values at the 4th
        [], [], [], ["stuck"], ["stuck"], ["stuck"], ["stuck"], ["stuck"],
        [], [], [], [], [], // moving again
      ]);
      expect(tail[3]).toMatchObject({ anomaly: true, severity: "MEDIUM", method: "RULES", category: "THERMAL" });
    });

    it("needs the flat run to span the configured time as well", async () => {
      p = await startPipeline({ sensor: { stuck: { readings: 3, ms: 10 * S } } });
      const next = feed(p, "pressure", 40, steady(4, 0.05, seeded(5)));
      feed(p, "pressure", 15, () => 4.321, next);
      await p.settle();
      const stuck = p.processed("pressure").slice(40).map((r) => r.reasons.includes("stuck"));
      // the run starts at the first held reading; 10 s later is the 11th
      expect(stuck.indexOf(true)).toBe(10);
    });
  });

  describe("range checks", () => {
    it("flag a value above the normal band as out_of_range_high, decided by the rules alone", async () => {
      p = await startPipeline();
      p.send("temperature", 45, T0);
      await p.settle();
      expect(p.anomalies("temperature")).toMatchObject([
        { reasons: ["out_of_range_high"], severity: "MEDIUM", category: "THERMAL", method: "RULES", model_version: null },
      ]);
    });

    it("flag a value below the normal band as out_of_range_low", async () => {
      p = await startPipeline();
      p.send("pressure", 0.4, T0);
      await p.settle();
      expect(p.anomalies("pressure")).toMatchObject([{ reasons: ["out_of_range_low"], severity: "MEDIUM", category: "PRESSURE" }]);
    });

    it("rate a value far out of band HIGH and one beyond a hard limit CRITICAL", async () => {
      p = await startPipeline();
      p.send("temperature", 48, T0); // 8 of the 10 °C between band and limit
      p.send("flow_rate", 380, T0); // above the 350 L/min limit
      p.send("pressure", 0.1, T0); // below the 0.25 bar limit
      await p.settle();
      expect(last(p.anomalies("temperature"))).toMatchObject({ reasons: ["out_of_range_high"], severity: "HIGH" });
      expect(last(p.anomalies("flow_rate"))).toMatchObject({ reasons: ["out_of_range_high", "limit_exceeded"], severity: "CRITICAL", category: "FLOW" });
      expect(last(p.anomalies("pressure"))).toMatchObject({ reasons: ["out_of_range_low", "limit_exceeded"], severity: "CRITICAL", score: 1 });
    });

    it("use the ranges from config over the defaults", async () => {
      p = await startPipeline({ sensorTypes: { temperature: { normal: [0, 30], limits: [-5, 35] } } });
      p.send("temperature", 36, T0);
      await p.settle();
      expect(last(p.anomalies("temperature"))).toMatchObject({ severity: "CRITICAL" });
    });

    it("are not applied to a sensor of unknown type, which gets statistical checks only", async () => {
      p = await startPipeline();
      const next = feed(p, "humidity", 60, steady(1000, 1, seeded(6)));
      p.send("humidity", 1030, T0 + next * S);
      await p.settle();
      expect(p.anomalies("humidity")).toMatchObject([{ reasons: ["zscore"], category: null, method: "STATISTICAL" }]);
      expect((await p.view("humidity")).type).toBeNull();
    });

    it("match a numbered sensor to its type", async () => {
      p = await startPipeline();
      p.send("temperature_2", 45, T0);
      await p.settle();
      expect(p.anomalies("temperature_2")).toMatchObject([{ reasons: ["out_of_range_high"], category: "THERMAL" }]);
    });
  });

  describe("reading quality", () => {
    it("flags a BAD reading and keeps its value out of the windows", async () => {
      p = await startPipeline();
      const next = feed(p, "power", 40, steady(75, 1, seeded(7)));
      const before = (await p.view("power")).features;
      p.send("power", 9999, T0 + next * S, "BAD");
      await p.settle();
      expect(last(p.processed("power"))).toMatchObject({ quality: "BAD", anomaly: true, reasons: ["bad_quality"], severity: "MEDIUM", method: "RULES", category: "ELECTRICAL" });
      const after = await p.view("power");
      expect(after.features).toEqual(before);
      expect(after.quality).toBe("BAD");
    });

    it("does not flag an UNCERTAIN reading for its quality alone", async () => {
      p = await startPipeline();
      const next = feed(p, "power", 40, steady(75, 1, seeded(8)));
      p.send("power", 75.5, T0 + next * S, "UNCERTAIN");
      await p.settle();
      expect(last(p.processed("power"))).toMatchObject({ quality: "UNCERTAIN", anomaly: false });
    });
  });

  describe("duplicates", () => {
    it("are dropped and reported as rejected when they repeat the last timestamp or are older", async () => {
      p = await startPipeline();
      p.send("flow_rate", 170, T0 + 2 * S);
      p.send("flow_rate", 171, T0 + 2 * S);
      p.send("flow_rate", 172, T0 + 1 * S);
      p.send("flow_rate", 173, T0 + 3 * S);
      await p.settle();
      expect(p.processed("flow_rate").map((r) => r.value)).toEqual([170, 173]);
      expect(p.rejected()).toMatchObject([
        { source: "simulator", reason: "duplicate", unit: UNIT, sensor: "flow_rate", ts: T0 + 2 * S },
        { source: "simulator", reason: "duplicate", unit: UNIT, sensor: "flow_rate", ts: T0 + 1 * S },
      ]);
      expect((await p.view("flow_rate")).duplicates).toBe(2);
    });
  });

  it("ignores a message that is neither a reading nor a query, without failing", async () => {
    p = await startPipeline();
    p.send("power", 75, T0);
    await p.system.ask(`sensor/${UNIT}/power`, "hello");
    await p.system.ask(`sensor/${UNIT}/power`, null);
    await p.system.ask(`unit/${UNIT}`, 42);
    expect((await p.system.stats()).kinds["sensor"]?.failures).toBe(0);
    expect((await p.system.stats()).kinds["unit"]?.failures).toBe(0);
    expect((await p.view("power")).readings).toBe(1);
  });

  it("answers get with its rolling features", async () => {
    p = await startPipeline({ sensor: { windows: { counts: [5], durationsMs: [3 * S] } } });
    feed(p, "vibration", 10, (i) => i);
    const view = await p.view("vibration");
    expect(view).toMatchObject({ unit: UNIT, sensor: "vibration", type: "vibration", readings: 10, lastTs: T0 + 9 * S });
    expect(view.features).toMatchObject({ c5_mean: 7, c5_min: 5, c5_max: 9, t3s_mean: 8, rate_of_change: 1 });
    expect(view.features["c5_slope"]).toBeCloseTo(1, 9);
  });

  it("keeps its windows and statistics across a restart", async () => {
    // A scorer that fails once, on the value 999, to make the actor fail.
    let failed = false;
    const failingOnce: ScorerFactory = (ctx) => {
      const inner = new StatisticalScorer(ctx);
      return {
        score(features, out) {
          if (features.latestValue === 999 && !failed) {
            failed = true;
            throw new Error("scorer failed");
          }
          inner.score(features, out);
        },
        snapshot: () => inner.snapshot(),
        restore: (s) => inner.restore(s),
      };
    };
    const sensorTypes = DEFAULT_SENSOR_TYPES;
    const kinds = [
      sensorKind({ settings: resolveSensorSettings(undefined), sensorTypes, scorer: failingOnce }),
      unitKind({ settings: resolveUnitSettings(undefined), sensorTypes }),
    ];
    p = await startPipeline({}, { snapshotIntervalMs: 0, kinds: kinds });
    const events = new EventLog(p.system);
    const signal = steady(20, 0.3, seeded(9));
    const next = feed(p, "temperature", 50, signal);
    const before = await p.view("temperature");
    p.send("temperature", 999, T0 + next * S);
    await events.next("actor-failed", (e) => e.address === `sensor/${UNIT}/temperature`);
    const view = p.view("temperature"); // queued while the actor waits out its backoff
    await p.advance(S); // past the restart backoff
    expect(await view).toEqual(before);
    expect((await p.system.stats()).kinds["sensor"]?.restarts).toBe(1);
    // and it carries on where it was: a repeat of the last timestamp is still a duplicate
    p.send("temperature", 20, T0 + (next - 1) * S);
    p.send("temperature", signal(next + 1), T0 + (next + 1) * S);
    await p.settle();
    expect(p.rejected()).toHaveLength(1);
    expect((await p.view("temperature")).readings).toBe(51);
  });

  it("tells its unit at once on a change and otherwise at most once per interval of reading time", async () => {
    p = await startPipeline({ sensor: { unitUpdateIntervalMs: 5 * S } });
    feed(p, "pressure", 12, steady(4, 0.05, seeded(10)));
    await p.settle();
    // 12 readings at 1 Hz with a 5 s interval: the unit heard of those at 0 s, 5 s and 10 s.
    expect((await p.unit()).sensors["pressure"]?.ts).toBe(T0 + 10 * S);
    p.send("pressure", 0.1, T0 + 12 * S); // an anomaly is a change: it goes at once
    await p.settle();
    expect((await p.unit()).sensors["pressure"]).toMatchObject({ ts: T0 + 12 * S, anomaly: true });
  });
});

describe("sensor and unit kinds", () => {
  it("refuse settings that cannot work", () => {
    expect(() => createKinds({ sensor: { windows: { counts: [0] } } })).toThrow(/counts/);
    expect(() => createKinds({ sensor: { scoring: { baseline: "c99" } } })).toThrow(/baseline/);
    expect(() => createKinds({ sensorTypes: { temperature: { normal: [40, -10] } } })).toThrow(/normal/);
    expect(() => createKinds({ unit: { offlineAfterMs: 0 } })).toThrow(/offlineAfterMs/);
  });
});

