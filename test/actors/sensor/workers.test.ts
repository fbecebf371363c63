import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import type { KindsConfig } from "../../../src/actors/kinds.js";
import { sensorAddress, type ProcessedReading, type Reading, type UnitState } from "../../../src/actors/readings/index.js";
import { SUBJECTS } from "../../../src/actors/subjects.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { T0 } from "./pipeline.js";

const KINDS_MODULE = fileURLToPath(new URL("../../../src/actors/kinds.ts", import.meta.url));

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

it("runs the sensor and unit kinds in worker threads with the settings from kindConfig", async () => {
  const units = ["UNIT001", "UNIT002", "UNIT003", "UNIT004"];
  const published: { subject: string; payload: unknown }[] = [];
  let seen!: () => void;
  const stuckEverywhere = new Promise<void>((resolve) => (seen = resolve));
  // Three equal readings are a flat line only with this config: the default needs ten.
  const kindConfig: KindsConfig = { sensor: { stuck: { readings: 3 } }, unit: { startupMs: 0 } };
  system = await createActorSystem({
    workers: 2,
    kindModules: [KINDS_MODULE],
    kindConfig,
    log: silentLog,
    outlet: (subject, json) => {
      published.push({ subject, payload: JSON.parse(json) as unknown });
      const stuckUnits = new Set(published.filter((p) => p.subject.startsWith("vigil.anomaly.")).map((p) => (p.payload as ProcessedReading).unit));
      if (stuckUnits.size === units.length) seen();
    },
  });
  for (const unit of units) {
    for (let i = 0; i < 3; i++) {
      const reading: Reading = { unit, sensor: "temperature", value: 20, quality: "GOOD", ts: T0 + i * 1000, source: "nats", receivedAt: T0 };
      expect(system.tell(sensorAddress(unit, "temperature"), reading)).toBe(true);
    }
  }
  await stuckEverywhere;
  for (const unit of units) {
    const processed = published.filter((p) => p.subject === SUBJECTS.processed(unit, "temperature")).map((p) => p.payload as ProcessedReading);
    expect(processed.map((r) => r.reasons)).toEqual([[], [], ["stuck"]]);
    // the unit heard from its sensor on the same worker
    const state = await system.ask<UnitState>(`unit/${unit}`, { type: "get" });
    expect(state).toMatchObject({ unit, status: "online", severity: "MEDIUM", category: "THERMAL" });
  }
  expect(system.workers).toBe(2);
});
