/**
 * The alarm lifecycle (ISA-18.2 in spirit): every transition, acknowledge
 * with who and a comment, shelving and its expiry, suppression by
 * maintenance and by a parent alarm, escalation, feedback, deduplication.
 */
import { afterEach, describe, expect, it } from "vitest";
import { unitAddress } from "../../../src/actors/readings/index.js";
import type { RuleInput } from "../../../src/rules/index.js";
import { AlarmActor } from "../../../src/actors/alarm/index.js";
import { newRecord } from "../../../src/actors/alarm/record.js";
import { parseRules, RuleBook } from "../../../src/rules/index.js";
import { isVigilError, type ActorContext } from "../../../src/runtime/index.js";
import { startAlarmRig, type AlarmRig } from "./rig.js";

let rig: AlarmRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const ID = "UNIT001/hot/temperature";
const hot: RuleInput = { id: "hot", severity: "CRITICAL", category: "THERMAL", message: "High temperature alert: {value}°C", condition: { type: "greater_than", sensor: "temperature", value: 50 } };
const warm: RuleInput = { id: "warm", severity: "HIGH", category: "THERMAL", message: "Warm: {value}°C", condition: { type: "greater_than", sensor: "temperature", value: 40 }, parent: "hot" };

async function failure(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "resolved",
    (err: unknown) => (isVigilError(err) ? err.code : String(err)),
  );
}

describe("the lifecycle", () => {
  it("active_unacknowledged → acknowledged (who, comment) → cleared to normal", async () => {
    rig = await startAlarmRig([hot]);
    const s = await rig.feed("temperature", [60], 0);
    const view = await rig.command({ type: "ack", alarmId: ID, by: "alice", comment: "on my way" });
    expect(view).toMatchObject({ state: "active_acknowledged", acknowledgedBy: "alice", comment: "on my way" });
    await rig.feed("temperature", [20], s);
    expect(rig.transitions().map((t) => [t.event, t.from, t.to, t.by, t.comment])).toEqual([
      ["raised", "normal", "active_unacknowledged", "hot", null],
      ["acknowledged", "active_unacknowledged", "active_acknowledged", "alice", "on my way"],
      ["cleared", "active_acknowledged", "normal", "hot", null],
    ]);
  });

  it("active_unacknowledged → cleared_unacknowledged → normal once acknowledged", async () => {
    rig = await startAlarmRig([hot]);
    await rig.feed("temperature", [60, 20], 0);
    expect((await rig.list())[0]).toMatchObject({ id: ID, state: "cleared_unacknowledged", condition: false });
    await rig.command({ type: "ack", alarmId: ID, by: "bob" });
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged", "acknowledged:normal"]);
    expect(await rig.list()).toEqual([]);
  });

  it("cleared_unacknowledged returns to active_unacknowledged when the condition comes back, still one alarm", async () => {
    rig = await startAlarmRig([hot]);
    await rig.feed("temperature", [60, 20, 61], 0);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged", "raised:active_unacknowledged"]);
    expect(new Set(rig.transitions().map((t) => t.alarmId))).toEqual(new Set([ID]));
    expect(await rig.list()).toHaveLength(1);
  });

  it("every transition has a timestamp, an actor and its own sequence number", async () => {
    rig = await startAlarmRig([hot]);
    await rig.feed("temperature", [60, 20], 0);
    await rig.command({ type: "ack", alarmId: ID, by: "carol" });
    const ts = rig.transitions();
    expect(ts.every((t) => typeof t.at === "number" && t.by.length > 0)).toBe(true);
    expect(new Set(ts.map((t) => t.seq)).size).toBe(ts.length);
  });

  it("refuses to acknowledge what is not awaiting it, and an alarm that does not exist", async () => {
    rig = await startAlarmRig([hot]);
    await rig.feed("temperature", [60], 0);
    await rig.command({ type: "ack", alarmId: ID, by: "alice" });
    expect(await failure(rig.command({ type: "ack", alarmId: ID, by: "alice" }))).toBe("VIGIL_ALARM_COMMAND_INVALID");
    expect(await failure(rig.command({ type: "ack", alarmId: "UNIT001/nope/temperature", by: "alice" }))).toBe("VIGIL_ALARM_NOT_FOUND");
  });
});

describe("shelving", () => {
  it("hides the alarm for its duration, then brings it back raised when the condition still holds", async () => {
    rig = await startAlarmRig([hot]);
    let s = await rig.feed("temperature", [60], 0);
    const view = await rig.command({ type: "shelve", alarmId: ID, by: "dave", durationMs: 60_000, comment: "known, fixing" });
    expect(view).toMatchObject({ state: "shelved", shelvedUntil: expect.any(Number) as number });
    s = await rig.feed("temperature", [20, 60, 20, 60], s); // chatter while shelved: nothing announced
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "shelved:shelved"]);
    await rig.advance(60_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "shelved:shelved", "unshelved:normal", "raised:active_unacknowledged"]);
    expect(rig.transitions()[2]).toMatchObject({ by: "system", comment: "shelving expired" });
    expect(s).toBeGreaterThan(0);
  });

  it("comes back to normal when the condition has gone while shelved; an operator may unshelve early", async () => {
    rig = await startAlarmRig([hot]);
    const s = await rig.feed("temperature", [60], 0);
    await rig.command({ type: "shelve", alarmId: ID, by: "dave", durationMs: 60_000 });
    await rig.feed("temperature", [20], s);
    await rig.command({ type: "unshelve", alarmId: ID, by: "erin" });
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "shelved:shelved", "unshelved:normal"]);
    await rig.advance(60_000); // the old expiry timer finds nothing to do
    expect(rig.events()).toHaveLength(3);
  });

  it("refuses a duration beyond the maximum", async () => {
    rig = await startAlarmRig([hot], { alarms: { maxShelveMs: 1000 } });
    await rig.feed("temperature", [60], 0);
    expect(await failure(rig.command({ type: "shelve", alarmId: ID, by: "dave", durationMs: 2000 }))).toBe("VIGIL_ALARM_COMMAND_INVALID");
  });
});

describe("suppression", () => {
  it("by unit maintenance: active alarms go suppressed, none raise, and they come back after maintenance", async () => {
    rig = await startAlarmRig([hot]);
    let s = await rig.feed("temperature", [60], 0);
    await rig.system.ask(unitAddress("UNIT001"), { type: "maintenance", on: true, by: "frank" });
    await rig.settle();
    s = await rig.feed("temperature", [20, 60, 20, 60], s);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "suppressed:suppressed"]);
    expect((await rig.list())[0]).toMatchObject({ state: "suppressed", suppressedBy: "maintenance" });
    await rig.system.ask(unitAddress("UNIT001"), { type: "maintenance", on: false });
    await rig.settle();
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "suppressed:suppressed", "unsuppressed:normal", "raised:active_unacknowledged"]);
    expect(s).toBeGreaterThan(0);
  });

  it("by a parent alarm: the child is suppressed while the parent is active and returns when it clears", async () => {
    rig = await startAlarmRig([hot, warm]);
    let s = await rig.feed("temperature", [45], 0);
    expect(rig.transitions().map((t) => `${t.rule}:${t.event}`)).toEqual(["warm:raised"]);
    s = await rig.feed("temperature", [55], s);
    expect(rig.transitions().map((t) => `${t.rule}:${t.event}`)).toEqual(["warm:raised", "hot:raised", "warm:suppressed"]);
    await rig.feed("temperature", [45], s);
    expect(rig.transitions().map((t) => `${t.rule}:${t.event}`)).toEqual(["warm:raised", "hot:raised", "warm:suppressed", "hot:cleared", "warm:unsuppressed", "warm:raised"]);
  });
});

describe("escalation and feedback", () => {
  it("escalates once when still unacknowledged after the escalation delay", async () => {
    rig = await startAlarmRig([hot], { alarms: { escalationDelayMs: 10_000 } });
    await rig.feed("temperature", [60], 0); // raised at 0 s; the clock is at 1 s
    await rig.advance(8_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged"]);
    await rig.advance(1_000);
    await rig.advance(60_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "escalated:active_unacknowledged"]);
  });

  it("does not escalate an alarm acknowledged in time", async () => {
    rig = await startAlarmRig([hot], { alarms: { escalationDelayMs: 10_000 } });
    await rig.feed("temperature", [60], 0);
    await rig.command({ type: "ack", alarmId: ID, by: "gina" });
    await rig.advance(20_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "acknowledged:active_acknowledged"]);
  });

  it("keeps operator feedback on the alarm and announces it", async () => {
    rig = await startAlarmRig([hot]);
    await rig.feed("temperature", [60], 0);
    const view = await rig.command({ type: "feedback", alarmId: ID, by: "hank", feedback: "false_alarm", comment: "sensor knocked" });
    expect(view.feedback).toBe("false_alarm");
    expect(rig.transitions().at(-1)).toMatchObject({ event: "feedback", feedback: "false_alarm", by: "hank", comment: "sensor knocked", to: "active_unacknowledged" });
  });
});

describe("state across restarts", () => {
  it("an alarm actor restored from a snapshot keeps its alarms and re-arms its shelving timer for the time left", () => {
    const book = new RuleBook({ version: 1, rules: parseRules([hot]) });
    const actor = new AlarmActor({ unit: "UNIT001", book, area: null, escalationDelayMs: 0, maxShelveMs: 86_400_000 });
    const scheduled: number[] = [];
    const ctx = { now: () => 10_000, schedule: (ms: number) => (scheduled.push(ms), { cancel() {} }) } as unknown as ActorContext;
    const record = { ...newRecord(ID, "hot", "temperature", 0), state: "shelved" as const, condition: true, value: 60, raisedAt: 0, shelvedUntil: 30_000 };
    actor.restore(structuredClone({ v: 1 as const, records: [record], seq: 2, status: "online" as const, operationalState: "NORMAL" as const, version: 1 }));
    actor.onActivate(ctx);
    expect(scheduled).toEqual([20_000]);
    expect(actor.receive({ type: "list" }, ctx)).toMatchObject([{ id: ID, state: "shelved", value: 60 }]);
  });
});
