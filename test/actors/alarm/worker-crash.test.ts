/**
 * Alarm state lives in actors and survives a crash of the shard worker that
 * hosts them, like any actor state: the replacement worker restores the
 * alarm actor (and the sensor's rule conditions) from their last snapshots.
 */
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { alarmAddress, type AlarmCommandResult, type AlarmView } from "../../../src/actors/alarm/index.js";
import { sensorAddress, type Reading } from "../../../src/actors/readings/index.js";
import { parseRules, type RuleInput } from "../../../src/rules/index.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { EventLog, silentLog } from "../../fixtures/actor-system.js";

const KINDS = fileURLToPath(new URL("../../fixtures/alarm-kinds.ts", import.meta.url));
const hot: RuleInput = { id: "hot", severity: "CRITICAL", category: "THERMAL", message: "hot {value}", condition: { type: "greater_than", sensor: "temperature", value: 50 } };

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

it("an acknowledged alarm and a shelved one are still there, in the same states, after their worker crashed", async () => {
  system = await createActorSystem({ workers: 1, kindModules: [KINDS], kindConfig: { alarms: { rules: { version: 1, rules: parseRules([hot]) } } }, log: silentLog, snapshotIntervalMs: 0 });
  const s = system;
  const events = new EventLog(s);
  const reading = (unit: string, value: number): Reading => ({ unit, sensor: "temperature", value, quality: "GOOD", ts: Date.now(), source: "simulator", receivedAt: Date.now() });
  for (const unit of ["UNIT001", "UNIT002"]) {
    s.tell(sensorAddress(unit, "temperature"), reading(unit, 60));
    await s.ask(sensorAddress(unit, "temperature"), { type: "get" });
  }
  const ack = await s.ask<AlarmCommandResult>(alarmAddress("UNIT001"), { type: "ack", alarmId: "UNIT001/hot/temperature", by: "alice" });
  const shelve = await s.ask<AlarmCommandResult>(alarmAddress("UNIT002"), { type: "shelve", alarmId: "UNIT002/hot/temperature", by: "bob", durationMs: 3_600_000 });
  expect([ack.ok, shelve.ok]).toEqual([true, true]);

  s.tell("crash/now", { type: "exit-worker" });
  await events.next("worker-restarted");

  const one = await s.ask<AlarmView[]>(alarmAddress("UNIT001"), { type: "list" });
  const two = await s.ask<AlarmView[]>(alarmAddress("UNIT002"), { type: "list" });
  expect(one).toMatchObject([{ id: "UNIT001/hot/temperature", state: "active_acknowledged", acknowledgedBy: "alice" }]);
  expect(two).toMatchObject([{ id: "UNIT002/hot/temperature", state: "shelved" }]);
  // The sensor still knows its condition holds: a reading back to normal clears the alarm.
  s.tell(sensorAddress("UNIT001", "temperature"), reading("UNIT001", 20));
  await s.ask(sensorAddress("UNIT001", "temperature"), { type: "get" });
  expect(await s.ask<AlarmView[]>(alarmAddress("UNIT001"), { type: "list" })).toEqual([]);
});
