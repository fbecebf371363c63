/**
 * In-process publishing into the ingest gateway, as `npm start` does in
 * embedded mode: simulated readings reach the sensor actors through the one
 * validation every connector uses, counted under source "simulator".
 */
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { IngestGateway } from "../../../../src/actors/ingest/index.js";
import { IngestCounters } from "../../../../src/actors/readings/index.js";
import { defaults } from "../../../../src/config/index.js";
import { GatewayPublisher, Plant, ReadingGenerator, startSimulator, type SimulatorRunner } from "../../../../src/actors/simulator/index.js";
import { createActorSystem, SimulatedClock, type ActorSystem } from "../../../../src/runtime/index.js";
import { turns } from "../../../fixtures/actor-system.js";
import { recordingSensor } from "../../../fixtures/recording-sensor.js";
import { SECOND, T0 } from "../helpers.js";

const log = pino({ level: "silent" });
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function gatewayOnClock(clock: SimulatedClock) {
  const sensors = recordingSensor();
  const system: ActorSystem = await createActorSystem({ workers: 0, kinds: [sensors.kind], log, clock });
  stops.push(() => system.stop());
  const counters = new IngestCounters();
  // The gateway judges timestamps by the same simulated clock the simulator runs on.
  const gateway = new IngestGateway({ system, counters, log, now: () => clock.now() });
  return { sensors, gateway, counters };
}

describe("GatewayPublisher", () => {
  it("hands simulated readings to their sensor actors through the ingest gateway, as source simulator", async () => {
    const clock = new SimulatedClock(T0);
    const { sensors, gateway, counters } = await gatewayOnClock(clock);
    const batch = new ReadingGenerator(new Plant(), { startAt: T0 }).nextBatch(50);
    const publisher = new GatewayPublisher(gateway);
    await publisher.publish(batch);
    const last = batch.at(-1)!;
    await sensors.next((r) => r.unit === last.unit && r.sensor === last.sensor && r.ts === last.timestamp);
    // Each sensor actor gets its own readings in order; different actors interleave freely.
    const bySensor = (rows: (string | number)[][]) => rows.sort((a, b) => `${a[0]}/${a[1]}`.localeCompare(`${b[0]}/${b[1]}`));
    expect(bySensor(sensors.readings.map((r) => [r.unit, r.sensor, r.value, r.quality, r.ts, r.source]))).toEqual(
      bySensor(batch.map((r) => [r.unit, r.sensor, r.value, r.quality, r.timestamp, "simulator"])),
    );
    expect(counters.snapshot().accepted).toEqual({ simulator: 50 });
    expect(publisher.rejected).toBe(0);
  });

  it("startSimulator with the default config section feeds the node's gateway from five units and two solar devices, once a second", async () => {
    const clock = new SimulatedClock(T0);
    const { sensors, gateway } = await gatewayOnClock(clock);
    const runner: SimulatorRunner = await startSimulator(defaults.simulator, { gateway, log, clock });
    stops.push(() => runner.close());
    for (let second = 1; second <= 2; second++) {
      await turns(); // the gateway takes the batch in flight; then the runner sets its next timer
      clock.advance(SECOND);
    }
    await sensors.next((r) => r.ts === T0 + 2 * SECOND && r.unit === "UNIT005" && r.sensor === "vibration");
    await sensors.next((r) => r.ts === T0 + 2 * SECOND && r.unit === "SOLAR002" && r.sensor === "ac_power");
    // Three instants: 5 units × 5 sensors and 2 devices × 3 sensors each.
    expect(sensors.readings).toHaveLength(3 * (25 + 6));
    expect(new Set(sensors.readings.map((r) => r.unit))).toEqual(new Set(["UNIT001", "UNIT002", "UNIT003", "UNIT004", "UNIT005", "SOLAR001", "SOLAR002"]));
    expect(runner.status()).toMatchObject({ running: true, mode: "plant", units: 5, solarDevices: 2, readingsPerSecond: 25 });
  });
});
