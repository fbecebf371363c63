/**
 * The alarm service on the main thread: its API over transport request
 * subjects, its metrics, and flood detection per operator area.
 */
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { ALARM_SUBJECTS, AlarmService, FloodMonitor, serveAlarmRequests, type AlarmTransition } from "../../../src/actors/alarm/index.js";
import { createKinds } from "../../../src/actors/kinds.js";
import { sensorAddress, type Reading } from "../../../src/actors/readings/index.js";
import { parseRules, RuleRegistry, type RuleInput } from "../../../src/rules/index.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { createInProcessTransport, type Transport } from "../../../src/runtime/transport/index.js";
import { silentLog } from "../../fixtures/actor-system.js";

const hot: RuleInput = { id: "hot", severity: "CRITICAL", category: "THERMAL", message: "High temperature alert: {value}°C", condition: { type: "greater_than", sensor: "temperature", value: 50 } };

interface Rig {
  system: ActorSystem;
  transport: Transport;
  service: AlarmService;
  registry: Registry;
  transitions: AlarmTransition[];
  hot(unit: string, value: number, ts: number): Promise<void>;
  request(op: string, body: unknown): Promise<{ ok: boolean; result?: unknown; code?: string; message?: string }>;
  stop(): Promise<void>;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

/** In-thread actors, an in-process transport, and the service fed from the outlet as the node feeds it. */
async function start(flood = { threshold: 10, windowMs: 600_000 }, areas: Record<string, string[]> = {}): Promise<Rig> {
  const rules = new RuleRegistry(parseRules([hot]));
  const transitions: AlarmTransition[] = [];
  const holder: { service?: AlarmService } = {};
  const system = await createActorSystem({
    workers: 0,
    kinds: createKinds({ alarms: { rules: rules.current(), areas } }),
    log: silentLog,
    outlet: (subject, json) => {
      if (subject.startsWith("vigil.alarm.")) holder.service?.accept(JSON.parse(json) as AlarmTransition);
    },
  });
  const registry = new Registry();
  const service = new AlarmService({ system, rules, flood, log: silentLog, registry });
  holder.service = service;
  service.onTransition((t) => transitions.push(t));
  await service.start();
  const transport = createInProcessTransport();
  const requests = serveAlarmRequests(transport, service, silentLog);
  const s = service;
  return {
    system,
    transport,
    service: s,
    registry,
    transitions,
    async hot(unit, value, ts) {
      const r: Reading = { unit, sensor: "temperature", value, quality: "GOOD", ts, source: "simulator", receivedAt: ts };
      system.tell(sensorAddress(unit, "temperature"), r);
      await system.ask(sensorAddress(unit, "temperature"), { type: "get" });
      await system.ask(`alarm/${unit}`, { type: "list" });
    },
    async request(op, body) {
      const reply = await transport.request(ALARM_SUBJECTS.api(op), new TextEncoder().encode(JSON.stringify(body)));
      return JSON.parse(new TextDecoder().decode(reply.data)) as { ok: boolean; result?: unknown; code?: string };
    },
    async stop() {
      requests.stop();
      s.stop();
      await system.stop();
      await transport.close();
    },
  };
}

describe("the request subjects", () => {
  it("list, acknowledge and give feedback over vigil.alarms.api.<op>", async () => {
    rig = await start();
    await rig.hot("UNIT001", 60, 1_000);
    const listed = await rig.request("list", {});
    expect(listed).toMatchObject({ ok: true, result: [{ id: "UNIT001/hot/temperature", state: "active_unacknowledged", severity: "CRITICAL" }] });
    expect(await rig.request("ack", { alarmId: "UNIT001/hot/temperature", by: "alice", comment: "seen" })).toMatchObject({ ok: true, result: { state: "active_acknowledged", acknowledgedBy: "alice" } });
    expect(await rig.request("feedback", { alarmId: "UNIT001/hot/temperature", by: "alice", feedback: "real_fault" })).toMatchObject({ ok: true, result: { feedback: "real_fault" } });
    expect(rig.transitions.map((t) => [t.event, t.by])).toEqual([
      ["raised", "hot"],
      ["acknowledged", "alice"],
      ["feedback", "alice"],
    ]);
  });

  it("answers a bad request with a stable code instead of failing", async () => {
    rig = await start();
    expect(await rig.request("shelve", { alarmId: "UNIT001/hot/temperature", by: "alice" })).toMatchObject({ ok: false, code: "VIGIL_ALARM_COMMAND_INVALID", message: expect.stringMatching(/durationMs/) as string });
    expect(await rig.request("ack", { alarmId: "UNIT001/hot/temperature", by: "alice" })).toMatchObject({ ok: false, code: "VIGIL_ALARM_NOT_FOUND" });
    expect(await rig.request("rules.put", { rule: { ...hot, severity: "URGENT" }, by: "alice" })).toMatchObject({ ok: false, code: "VIGIL_RULE_INVALID" });
  });

  it("changes rules: a put takes effect on the next reading and shows in the versions", async () => {
    rig = await start();
    expect(await rig.request("rules.put", { rule: { ...hot, id: "warm", condition: { type: "greater_than", sensor: "temperature", value: 30 } }, by: "bob" })).toMatchObject({ ok: true, result: { version: 2, created: true } });
    await rig.hot("UNIT002", 35, 1_000);
    expect(rig.transitions.map((t) => t.alarmId)).toEqual(["UNIT002/warm/temperature"]);
    expect(await rig.request("rules.versions", {})).toMatchObject({ ok: true, result: { version: 2, changes: [{ action: "load" }, { action: "put", by: "bob", ruleId: "warm" }] } });
  });
});

describe("metrics", () => {
  it("count alarms by state and severity, and transitions by event", async () => {
    rig = await start();
    await rig.hot("UNIT001", 60, 1_000);
    await rig.hot("UNIT002", 60, 1_000);
    await rig.service.acknowledge("UNIT002/hot/temperature", "carol");
    const text = await rig.registry.metrics();
    expect(text).toContain('vigil_alarms{state="active_unacknowledged",severity="CRITICAL"} 1');
    expect(text).toContain('vigil_alarms{state="active_acknowledged",severity="CRITICAL"} 1');
    expect(text).toContain('vigil_alarm_transitions_total{event="raised",severity="CRITICAL"} 2');
    expect(text).toContain("vigil_alarm_rules_version 1");
  });
});

describe("flood detection", () => {
  it("more than the threshold raised in one area within the window raises one system alarm; other areas are left alone", async () => {
    rig = await start({ threshold: 3, windowMs: 600_000 }, { north: ["N*"], south: ["S1"] });
    for (let i = 0; i < 6; i++) await rig.hot(`N${i}`, 60, 1_000);
    await rig.hot("S1", 60, 1_000);
    await rig.system.ask("alarm/_system", { type: "list" });
    const system = rig.transitions.filter((t) => t.unit === "_system");
    expect(system).toMatchObject([{ event: "raised", alarmId: "_system/system.flood/north", area: "north", value: 4, message: "Alarm flood in area north: 4 alarms in 10 minutes" }]);
    const text = await rig.registry.metrics();
    expect(text).toContain('vigil_alarm_flood{area="north"} 1');
    expect(text).toContain('vigil_alarm_flood{area="south"} 0');
    expect(text).toContain('vigil_alarm_area_raised{area="north"} 6');
  });

  it("a flood ends once the window has moved past enough of its alarms", () => {
    const flood = new FloodMonitor(3, 10_000);
    const changes = [1, 2, 3, 4].map((t) => flood.record("a", t * 1000)).filter((c) => c !== undefined);
    expect(changes).toEqual([{ area: "a", flooding: true, count: 4 }]);
    expect(flood.checkAll(10_500)).toEqual([]); // the first left the window at 11 s
    expect(flood.checkAll(11_000)).toEqual([{ area: "a", flooding: false, count: 3 }]);
    expect(flood.checkAll(30_000)).toEqual([]);
  });
});
