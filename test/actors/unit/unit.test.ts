import { afterEach, describe, expect, it } from "vitest";
import type { KindsConfig } from "../../../src/actors/kinds.js";
import { seeded, startPipeline, steady, T0, UNIT, type Pipeline } from "../sensor/pipeline.js";

const S = 1000;
let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

/** Values in every sensor's optimal band, with noise. */
const OPTIMAL = { temperature: 20, pressure: 4, flow_rate: 175, power: 75, vibration: 2 } as const;
const NOISE = { temperature: 0.3, pressure: 0.05, flow_rate: 2, power: 1, vibration: 0.1 } as const;
type Plant = Record<keyof typeof OPTIMAL, number>;

/**
 * Every sensor of the unit for `seconds` readings at 1 Hz from `start`
 * (seconds after T0), the node clock kept in step; `override` moves a
 * sensor's centre (it keeps half its noise, so it never reads as a flat
 * line). Returns the next second.
 */
async function run(pl: Pipeline, start: number, seconds: number, override: Partial<Plant> = {}, quality: Partial<Record<keyof Plant, "BAD">> = {}): Promise<number> {
  const random = seeded(start + 1);
  for (let i = 0; i < seconds; i++) {
    for (const sensor of Object.keys(OPTIMAL) as (keyof Plant)[]) {
      const given = override[sensor];
      const value = given === undefined ? steady(OPTIMAL[sensor], NOISE[sensor], random)(start + i) : given + (NOISE[sensor] / 2) * (2 * random() - 1);
      pl.send(sensor, value, T0 + (start + i) * S, quality[sensor] ?? "GOOD");
    }
    await pl.settle();
    await pl.advance(S);
  }
  return start + seconds;
}

/** A pipeline whose units are past STARTUP from the start. */
function running(config: KindsConfig = {}): Promise<Pipeline> {
  return startPipeline({ ...config, unit: { startupMs: 0, ...config.unit } });
}

describe("a unit's status", () => {
  it("is online from its first reading, and the unit publishes its state", async () => {
    p = await startPipeline();
    await run(p, 0, 1);
    expect(p.unitStates()).toMatchObject([{ unit: UNIT, status: "online", operationalState: "STARTUP", method: "RULES", lastReadingAt: T0 }]);
  });

  it("goes offline once no reading has come for offlineAfterMs, and back online with the next", async () => {
    p = await running({ unit: { offlineAfterMs: 30 * S } });
    await run(p, 0, 11); // readings until 10 s; the clock is at 11 s
    await p.advance(28 * S); // 39 s: silent for 29 s
    expect((await p.unit()).status).toBe("online");
    await p.advance(1 * S); // 40 s: silent for 30 s
    expect((await p.unit()).status).toBe("offline");
    expect(p.unitStates().at(-1)).toMatchObject({ status: "offline" });
    await run(p, 40, 1);
    expect(p.unitStates().at(-1)).toMatchObject({ status: "online" });
  });

  it("is maintenance while a command says so, and online again when it is lifted", async () => {
    p = await running();
    await run(p, 0, 3);
    expect(await p.system.ask(`unit/${UNIT}`, { type: "maintenance", on: true, by: "alice" })).toMatchObject({ status: "maintenance" });
    expect(p.unitStates().at(-1)).toMatchObject({ status: "maintenance" });
    await run(p, 3, 3); // readings do not end maintenance
    expect((await p.unit()).status).toBe("maintenance");
    expect(await p.system.ask(`unit/${UNIT}`, { type: "maintenance", on: false })).toMatchObject({ status: "online" });
    expect(p.unitStates().at(-1)).toMatchObject({ status: "online" });
  });

  it("comes out of maintenance offline if no reading came meanwhile", async () => {
    p = await running({ unit: { offlineAfterMs: 30 * S } });
    await run(p, 0, 1);
    await p.system.ask(`unit/${UNIT}`, { type: "maintenance", on: true });
    await p.advance(60 * S);
    expect(await p.system.ask(`unit/${UNIT}`, { type: "maintenance", on: false })).toMatchObject({ status: "offline" });
  });
});

describe("a unit's operational state", () => {
  it("is STARTUP for startupMs after coming online", async () => {
    p = await startPipeline({ unit: { startupMs: 60 * S } });
    const next = await run(p, 0, 30);
    expect((await p.unit()).operationalState).toBe("STARTUP");
    await run(p, next, 31);
    expect((await p.unit()).operationalState).toBe("OPTIMAL");
  });

  it("is OPTIMAL with every sensor inside its optimal band", async () => {
    p = await running();
    await run(p, 0, 40);
    expect(await p.unit()).toMatchObject({ operationalState: "OPTIMAL", severity: null, category: null, health: 1 });
  });

  it("stays OPTIMAL while a value creeps just past the edge of its optimal band, then turns NORMAL", async () => {
    p = await running();
    let t = await run(p, 0, 40, { temperature: 29 });
    expect((await p.unit()).operationalState).toBe("OPTIMAL");
    for (let i = 1; i <= 40; i++) t = await run(p, t, 1, { temperature: 29 + 0.05 * i }); // to 31 °C, past the 30 °C edge
    expect((await p.unit()).operationalState).toBe("OPTIMAL");
    for (let i = 1; i <= 50; i++) t = await run(p, t, 1, { temperature: 31 + 0.05 * i }); // to 33.5 °C, past the 2.5 °C slack
    expect(p.anomalies("temperature")).toEqual([]);
    expect((await p.unit()).operationalState).toBe("NORMAL");
  });

  it("is NORMAL with a sensor inside its normal band but outside its optimal one", async () => {
    p = await running();
    await run(p, 0, 40, { temperature: 35 });
    expect(await p.unit()).toMatchObject({ operationalState: "NORMAL", severity: null });
  });

  it("is OVERLOAD with power above its overload level", async () => {
    p = await running();
    await run(p, 0, 5, { power: 110 });
    expect(await p.unit()).toMatchObject({ operationalState: "OVERLOAD", severity: null });
  });

  it("is SHUTDOWN with power and flow near zero, their low readings not counted as problems", async () => {
    p = await running();
    await run(p, 0, 5, { power: 1, flow_rate: 2 });
    expect(await p.unit()).toMatchObject({ operationalState: "SHUTDOWN", severity: null, health: 1 });
  });

  it("is FAULT on a CRITICAL anomaly", async () => {
    p = await running();
    await run(p, 0, 3, { temperature: 55 });
    expect(await p.unit()).toMatchObject({ operationalState: "FAULT", severity: "CRITICAL", category: "THERMAL" });
  });

  it("is FAULT when several sensors read BAD quality", async () => {
    p = await running();
    const next = await run(p, 0, 20);
    await run(p, next, 2, {}, { pressure: "BAD" });
    expect((await p.unit()).operationalState).not.toBe("FAULT");
    await run(p, next + 2, 2, {}, { pressure: "BAD", flow_rate: "BAD" });
    expect(await p.unit()).toMatchObject({ operationalState: "FAULT", severity: "MEDIUM" });
  });

  it("is DEGRADED once an anomaly has lasted sustainedAnomalyMs", async () => {
    p = await running({ unit: { sustainedAnomalyMs: 30 * S } });
    // above the 11 mm/s band from the start (a jump into it would also read as drift)
    const next = await run(p, 0, 30, { vibration: 12 }); // anomalous for 29 s
    expect(await p.unit()).toMatchObject({ operationalState: "NORMAL", severity: "MEDIUM", category: "MECHANICAL" });
    await run(p, next, 1, { vibration: 12 });
    expect(await p.unit()).toMatchObject({ operationalState: "DEGRADED", severity: "MEDIUM", category: "MECHANICAL" });
  });

  it("is DEGRADED when a sensor drifts towards the edge of its band", async () => {
    p = await running();
    const next = await run(p, 0, 40, { temperature: 36 });
    // +0.03 °C/s from 36 °C: still inside the 40 °C band, but 3.6 °C further in the 2-minute drift horizon
    const random = seeded(11);
    for (let i = 0; i < 90; i++) {
      p.send("temperature", 36 + 0.03 * i + 0.02 * (random() - 0.5), T0 + (next + i) * S);
    }
    await p.settle();
    expect(p.anomalies("temperature")).toEqual([]);
    expect((await p.unit()).operationalState).toBe("DEGRADED");
  });
});

describe("a unit's severity and health", () => {
  it("take the worst current sensor problem, and health falls with each", async () => {
    p = await running();
    const next = await run(p, 0, 20);
    expect((await p.unit()).health).toBe(1);
    await run(p, next, 1, { temperature: 45 }); // out of band, and a jump: HIGH
    const one = await p.unit();
    expect(one).toMatchObject({ severity: "HIGH", category: "THERMAL" });
    await run(p, next + 1, 1, { temperature: 45, pressure: 0.1 }); // and CRITICAL
    const two = await p.unit();
    expect(two).toMatchObject({ severity: "CRITICAL", category: "PRESSURE" });
    expect(one.health).toBeLessThan(1);
    expect(two.health).toBeLessThan(one.health);
  });

  it("recover once the sensors are normal again", async () => {
    p = await running();
    let next = await run(p, 0, 20);
    next = await run(p, next, 1, { temperature: 45 });
    await run(p, next, 3);
    expect(await p.unit()).toMatchObject({ severity: null, category: null, health: 1 });
  });
});

describe("unit state publications", () => {
  it("happen only when status, state, severity or health change", async () => {
    p = await running();
    await run(p, 0, 60);
    // online + OPTIMAL from the first readings, and nothing since
    expect(p.unitStates().map((s) => [s.status, s.operationalState, s.severity, s.health])).toEqual([["online", "OPTIMAL", null, 1]]);
  });

  it("say nothing about a unit asked after before any reading", async () => {
    p = await running();
    expect(await p.unit("UNIT009")).toMatchObject({ unit: "UNIT009", status: "offline", sensors: {} });
    expect(p.unitStates("UNIT009")).toEqual([]);
  });

  it("carry the latest state of every sensor", async () => {
    p = await running();
    p.send("temperature", 21, T0);
    p.send("pressure", 4.1, T0 + 5, "UNCERTAIN");
    await p.settle();
    expect((await p.unit()).sensors).toEqual({
      temperature: { value: 21, ts: T0, quality: "GOOD", anomaly: false, score: 0 },
      pressure: { value: 4.1, ts: T0 + 5, quality: "UNCERTAIN", anomaly: false, score: 0 },
    });
  });
});
