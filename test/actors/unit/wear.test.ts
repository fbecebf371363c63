/**
 * A unit's wear, through real sensor and unit actors: the unit sees a
 * degradation when its sensors move together the way wear moves them, tells
 * them, and each flags the readings that carry its share; a change of load
 * (every sensor the same way), one sensor alone, or a ramp while the unit
 * starts up is not wear.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { KindsConfig } from "../../../src/actors/kinds.js";
import type { ProcessedReading } from "../../../src/actors/readings/index.js";
import { seeded, startPipeline, T0, type Pipeline } from "../sensor/pipeline.js";

const S = 1000;
let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

const SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"] as const;
type Sensor = (typeof SENSORS)[number];
type Plant = Record<Sensor, number>;

/** Mid-band values, and the noise on each (about what the simulated plant has). */
const CENTRE: Plant = { temperature: 20, pressure: 4, flow_rate: 175, power: 75, vibration: 2 };
const NOISE: Plant = { temperature: 0.3, pressure: 0.05, flow_rate: 2, power: 1, vibration: 0.15 };
/** A degradation at its full extent: hotter, more power and vibration, less pressure and flow (20 to 40 noise sd each). */
const WEAR: Plant = { temperature: 8, pressure: -1.2, flow_rate: -40, power: 12, vibration: 6 };
/** A rise in load of the same size in noise sd: every sensor up. */
const LOAD: Plant = { temperature: 8, pressure: 1.2, flow_rate: 40, power: 12, vibration: 6 };

const SETTLE_S = 300; // five minutes steady: windows full, slow baseline settled
const RAMP_S = 120;

/**
 * Every sensor at 1 Hz for `seconds` from `start` (seconds after T0), at
 * CENTRE + `shift(i)` plus noise, the node clock in step. Returns the next second.
 */
async function run(pl: Pipeline, start: number, seconds: number, shift: (i: number) => Partial<Plant> = () => ({})): Promise<number> {
  const random = seeded(start + 7);
  for (let i = 0; i < seconds; i++) {
    const moved = shift(i);
    for (const sensor of SENSORS) {
      pl.send(sensor, CENTRE[sensor] + (moved[sensor] ?? 0) + NOISE[sensor] * (2 * random() - 1) * 1.7, T0 + (start + i) * S);
    }
    await pl.settle();
    await pl.advance(S);
  }
  return start + seconds;
}

/** `full` reached linearly over the ramp, like the simulator's degradation scenario. */
function ramp(full: Partial<Plant>): (i: number) => Partial<Plant> {
  return (i) => Object.fromEntries(Object.entries(full).map(([sensor, x]) => [sensor, (x * (i + 1)) / RAMP_S]));
}

function flagged(pl: Pipeline, sensor: Sensor, from = 0): ProcessedReading[] {
  return pl.anomalies(sensor).filter((a) => a.reasons.includes("degradation") && a.ts >= T0 + from * S);
}

/** A pipeline whose unit is past STARTUP from the start. */
function running(config: KindsConfig = {}): Promise<Pipeline> {
  return startPipeline({ ...config, unit: { startupMs: 0, ...config.unit } });
}

describe("a unit's wear", () => {
  it("is seen when temperature, power and vibration rise while pressure and flow fall: the unit is DEGRADED and every sensor flags its share, LOW, in its own category", async () => {
    p = await running();
    const next = await run(p, 0, SETTLE_S);
    expect(SENSORS.flatMap((s) => p!.anomalies(s))).toEqual([]);
    await run(p, next, RAMP_S, ramp(WEAR));
    const categories = { temperature: "THERMAL", pressure: "PRESSURE", flow_rate: "FLOW", power: "ELECTRICAL", vibration: "MECHANICAL" } as const;
    for (const sensor of SENSORS) {
      const last = p.processed(sensor).at(-1);
      expect(last).toMatchObject({ anomaly: true, severity: "LOW", category: categories[sensor] });
      expect(last?.reasons).toContain("degradation");
      // Not from the very first reading of the ramp: a gap has to open first.
      expect(flagged(p, sensor)[0]!.ts).toBeGreaterThan(T0 + (next + 5) * S);
    }
    expect((await p.unit()).operationalState).toBe("DEGRADED");
  });

  it("ends at once when the values are back: no reading after is flagged, and the unit leaves DEGRADED once its longest window has rolled over", async () => {
    p = await running();
    let next = await run(p, 0, SETTLE_S);
    next = await run(p, next, RAMP_S, ramp(WEAR));
    expect((await p.unit()).operationalState).toBe("DEGRADED");
    const back = next;
    // The jump back is itself a change the 60-second drift window sees until it has rolled over.
    await run(p, next, 61);
    expect(SENSORS.flatMap((s) => flagged(p!, s, back))).toEqual([]);
    expect(await p.unit()).toMatchObject({ severity: null });
    expect(["NORMAL", "OPTIMAL"]).toContain((await p.unit()).operationalState);
  });

  it("is not seen when a change of load moves every sensor the same way", async () => {
    p = await running();
    const next = await run(p, 0, SETTLE_S);
    await run(p, next, RAMP_S, ramp(LOAD));
    expect(SENSORS.flatMap((s) => flagged(p!, s))).toEqual([]);
  });

  it("is not seen when one sensor moves alone, however far", async () => {
    p = await running();
    const next = await run(p, 0, SETTLE_S);
    await run(p, next, RAMP_S, ramp({ vibration: WEAR.vibration }));
    expect(SENSORS.flatMap((s) => flagged(p!, s))).toEqual([]);
  });

  it("is not seen while the unit starts up, whose ramp it would otherwise look like", async () => {
    p = await startPipeline({ unit: { startupMs: (SETTLE_S + RAMP_S + 10) * S } });
    const next = await run(p, 0, SETTLE_S);
    await run(p, next, RAMP_S, ramp(WEAR));
    expect(SENSORS.flatMap((s) => flagged(p!, s))).toEqual([]);
    expect((await p.unit()).operationalState).toBe("STARTUP");
  });

  it("takes no part for a sensor whose type has no wear direction", async () => {
    p = await running({ sensorTypes: { vibration: { wear: undefined } } });
    const next = await run(p, 0, SETTLE_S);
    await run(p, next, RAMP_S, ramp(WEAR));
    expect(flagged(p, "vibration")).toEqual([]);
    expect(flagged(p, "temperature")).not.toEqual([]);
  });
});
