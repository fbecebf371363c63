/**
 * Alarms on a started node, end to end: the simulator's high_temperature
 * scenario raises one CRITICAL alarm (not a storm) whose notification
 * reaches a real webhook receiver, signed; and rules replaced at run time
 * while readings flow take effect without a crash (raising enough alarms
 * at once to flood the area).
 */
import { afterEach, expect, it } from "vitest";
import type { ProcessedReading } from "../../src/actors/readings/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import type { AlarmNotification } from "../../src/notify/index.js";
import type { RuntimeEvent } from "../../src/runtime/index.js";
import { startAlarmNode, type AlarmNode } from "./alarm-node.js";

let rig: AlarmNode | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

it("the high_temperature scenario raises one CRITICAL alarm, and its notification reaches a real webhook receiver, signed", { timeout: 120_000 }, async () => {
  rig = await startAlarmNode({ VIGIL_SIMULATOR_UNITS: "2" });
  const r = rig;
  let hottest = Number.NEGATIVE_INFINITY;
  const sub = r.node.transport.subscribe(SUBJECTS.processed("UNIT001", "temperature"));
  void (async () => {
    for await (const msg of sub) hottest = Math.max(hottest, (JSON.parse(new TextDecoder().decode(msg.data)) as ProcessedReading).value);
  })();
  r.node.simulator?.inject({ unit: "UNIT001", kind: "high_temperature", durationMs: 120_000, magnitude: 2 }); // towards 70 °C over 30 s

  const critical = () => r.transitions.filter((t) => t.severity === "CRITICAL" && t.event === "raised");
  await r.until(() => critical().length > 0, "a CRITICAL alarm raised");
  expect(critical()[0]).toMatchObject({ alarmId: "UNIT001/temperature_critical/temperature", unit: "UNIT001", rule: "temperature_critical", to: "active_unacknowledged" });
  expect(critical()[0]?.message).toMatch(/^High temperature alert: \d+(\.\d+)?°C$/);

  const delivered = () => [...r.receiver.accepted.values()].map((x) => JSON.parse(x.body) as AlarmNotification).filter((n) => n.alarm.severity === "CRITICAL");
  await r.until(() => delivered().length > 0, "the CRITICAL notification at the webhook receiver");
  const [got] = [...r.receiver.accepted.values()].filter((x) => (JSON.parse(x.body) as AlarmNotification).alarm.severity === "CRITICAL");
  expect(got?.signatureValid).toBe(true);
  expect(delivered()[0]).toMatchObject({ event: "raised", alarm: { id: "UNIT001/temperature_critical/temperature", severity: "CRITICAL", unit: "UNIT001", category: "THERMAL" } });

  // Once the temperature has reached its plateau the alarm has had every chance to chatter: it has not.
  await r.until(() => hottest > 65, "the temperature at its plateau");
  sub.unsubscribe();
  expect(critical()).toHaveLength(1);
  expect(r.transitions.filter((t) => t.event === "raised" && t.unit === "UNIT002")).toEqual([]);
});

it("rules replaced at run time while readings flow take effect, with no actor failure", { timeout: 120_000 }, async () => {
  rig = await startAlarmNode({ VIGIL_SIMULATOR_UNITS: "20", VIGIL_SIMULATOR_INTERVAL_MS: "100" });
  const r = rig;
  const trouble: RuntimeEvent[] = [];
  r.node.system.onEvent((e) => {
    if (e.type === "actor-failed" || e.type === "worker-crashed") trouble.push(e);
  });
  const base = { severity: "LOW", category: "TEST", message: "{unit} {sensor} {value}" } as const;
  // Churn: many versions while 200 readings a second arrive, each replacing the whole set.
  for (let i = 0; i < 30; i++) {
    await r.node.alarms.replaceRules([{ ...base, id: `churn${i}`, condition: { type: "greater_than", sensor: "temperature", value: 1000 + i } }], "tester");
  }
  // Then a rule every unit's flow exceeds at once: it must raise for all twenty.
  const { version } = await r.node.alarms.putRule({ ...base, id: "flowing", condition: { type: "greater_than", sensor: "flow_rate", value: -1 } }, "tester");
  expect(version).toBe(32);
  const flowing = () => new Set(r.transitions.filter((t) => t.rule === "flowing" && t.event === "raised").map((t) => t.unit));
  await r.until(() => flowing().size === 20, "the new rule raised for all 20 units");
  // And removing it ends those alarms.
  await r.node.alarms.removeRule("flowing", "tester");
  await r.until(() => r.transitions.filter((t) => t.rule === "flowing" && t.event === "removed").length === 20, "the removed rule's 20 alarms ended");
  // Twenty raises within ten minutes in one area is a flood (threshold 10): one system alarm, not twenty more.
  expect((await r.node.alarms.list({ state: "active_unacknowledged" })).map((a) => a.id)).toEqual(["_system/system.flood/default"]);
  expect(r.transitions.filter((t) => t.rule === "system.flood").map((t) => t.event)).toEqual(["raised"]);
  expect(trouble).toEqual([]);
  expect(r.node.alarms.ruleVersions().changes.at(-1)).toMatchObject({ action: "remove", by: "tester", ruleId: "flowing" });
});
