/**
 * Each rule type, evaluated by the sensor and alarm actors on readings, with
 * its deadband and on/off delays on noisy signals.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseRules, type RuleInput } from "../../../src/rules/index.js";
import { keysForEveryShard } from "../../../src/runtime/index.js";
import { noisy, startAlarmRig, type AlarmRig } from "./rig.js";

let rig: AlarmRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

const hot = (over: Partial<RuleInput> = {}): RuleInput => ({
  id: "hot",
  severity: "CRITICAL",
  category: "THERMAL",
  message: "High temperature alert: {value}°C",
  condition: { type: "greater_than", sensor: "temperature", value: 50 },
  ...over,
});

const raised = (r: AlarmRig) => r.transitions().filter((t) => t.event === "raised");
const cleared = (r: AlarmRig) => r.transitions().filter((t) => t.event === "cleared");

describe("greater_than", () => {
  it("raises one CRITICAL alarm with the rendered message when the value goes above the threshold", async () => {
    rig = await startAlarmRig([hot()]);
    await rig.feed("temperature", [20, 21, 55], 0);
    expect(raised(rig)).toMatchObject([
      { alarmId: "UNIT001/hot/temperature", severity: "CRITICAL", category: "THERMAL", message: "High temperature alert: 55°C", value: 55, to: "active_unacknowledged", by: "hot" },
    ]);
  });

  it("with a deadband, a noisy value around the threshold raises once and clears only below threshold - deadband", async () => {
    rig = await startAlarmRig([hot({ deadband: 3 })]);
    let s = await rig.feed("temperature", noisy(50, 2, 40), 0); // 48..52, crossing 50 again and again
    expect(raised(rig)).toHaveLength(1);
    expect(cleared(rig)).toHaveLength(0);
    s = await rig.feed("temperature", [47.5], s);
    expect(cleared(rig)).toHaveLength(0); // 47.5 is above 50 - 3
    await rig.feed("temperature", [46.9], s);
    expect(cleared(rig)).toHaveLength(1);
  });

  it("without a deadband the same noisy value chatters: what the deadband is for", async () => {
    rig = await startAlarmRig([hot()]);
    await rig.feed("temperature", noisy(50, 2, 40), 0);
    expect(raised(rig).length).toBeGreaterThan(5);
  });

  it("with an on-delay, spikes shorter than the delay raise nothing and a sustained excursion raises once", async () => {
    rig = await startAlarmRig([hot({ onDelayMs: 5_000 })]);
    let s = await rig.feed("temperature", [20, 60, 60, 20, 60, 60, 60, 20, 20], 0); // spikes of 2 and 3 s
    expect(raised(rig)).toHaveLength(0);
    s = await rig.feed("temperature", [60, 60, 60, 60, 60], s);
    expect(raised(rig)).toHaveLength(0); // 4 s since the first: not yet
    await rig.feed("temperature", [60, 60, 60], s);
    expect(raised(rig)).toHaveLength(1);
  });

  it("with an off-delay, dips shorter than the delay do not clear", async () => {
    rig = await startAlarmRig([hot({ offDelayMs: 5_000 })]);
    const s = await rig.feed("temperature", [60, 40, 40, 60, 40, 60], 0);
    expect(raised(rig)).toHaveLength(1);
    expect(cleared(rig)).toHaveLength(0);
    await rig.feed("temperature", [40, 40, 40, 40, 40, 40, 40], s);
    expect(raised(rig)).toHaveLength(1);
    expect(cleared(rig)).toHaveLength(1);
  });
});

describe("the other sensor conditions", () => {
  it("less_than raises below its threshold and clears above threshold + deadband", async () => {
    rig = await startAlarmRig([{ id: "low", severity: "HIGH", category: "PRESSURE", message: "Low pressure: {value} bar", condition: { type: "less_than", sensor: "pressure", value: 0.5 }, deadband: 0.2 }]);
    const s = await rig.feed("pressure", [4, 0.4, 0.6, 0.65], 0);
    expect(rig.events()).toEqual(["raised:active_unacknowledged"]);
    await rig.feed("pressure", [0.75], s);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged"]);
    expect(rig.transitions()[0]).toMatchObject({ message: "Low pressure: 0.4 bar", severity: "HIGH" });
  });

  it("outside_range raises on either side of its band", async () => {
    rig = await startAlarmRig([{ id: "band", severity: "MEDIUM", category: "FLOW", message: "Flow {value}", condition: { type: "outside_range", sensor: "flow_rate", low: 50, high: 300 } }]);
    await rig.feed("flow_rate", [100, 40, 100, 310, 100], 0);
    expect(rig.events().filter((e) => e.startsWith("raised"))).toHaveLength(2);
    expect(rig.transitions().filter((t) => t.event === "raised").map((t) => t.value)).toEqual([40, 310]);
  });

  it("rate_of_change raises when the value moves faster than maxPerSecond, in the watched direction only", async () => {
    rig = await startAlarmRig([
      { id: "rise", severity: "HIGH", category: "THERMAL", message: "rising", condition: { type: "rate_of_change", sensor: "temperature", maxPerSecond: 5, direction: "rise" } },
    ]);
    await rig.feed("temperature", [20, 22, 24, 14, 4, 4, 12, 12], 0); // falls by 10/s, then rises by 8/s
    expect(rig.transitions().map((t) => `${t.event}@${t.value}`)).toEqual(["raised@12", "cleared@12"]);
  });

  it("quality_bad raises on a BAD reading of any sensor and clears on the next good one", async () => {
    rig = await startAlarmRig([{ id: "bad", severity: "MEDIUM", category: "INSTRUMENT", message: "{sensor} BAD", condition: { type: "quality_bad", sensor: "*" } }]);
    rig.send("vibration", 2, Date.parse("2024-01-01T12:00:00Z"), "BAD");
    await rig.settle();
    rig.send("vibration", 2, Date.parse("2024-01-01T12:00:01Z"), "GOOD");
    await rig.settle();
    expect(rig.transitions().map((t) => `${t.event}:${t.alarmId}:${t.message}`)).toEqual(["raised:UNIT001/bad/vibration:vibration BAD", "cleared:UNIT001/bad/vibration:vibration BAD"]);
  });

  it("anomaly_score raises on a reading the sensor's scorer finds anomalous", async () => {
    rig = await startAlarmRig([{ id: "odd", severity: "LOW", category: "THERMAL", message: "odd {value}", condition: { type: "anomaly_score", sensor: "temperature", above: 0.9 } }]);
    const steady = Array.from({ length: 40 }, (_, i) => 20 + 0.2 * Math.sin(i));
    const s = await rig.feed("temperature", steady, 0);
    expect(rig.transitions()).toHaveLength(0);
    await rig.feed("temperature", [35], s);
    expect(rig.transitions()).toMatchObject([{ event: "raised", value: 35 }]);
  });

  it("stale raises once no reading has come for afterMs, and clears with the next reading", async () => {
    rig = await startAlarmRig([{ id: "quiet", severity: "MEDIUM", category: "INSTRUMENT", message: "{sensor} quiet", condition: { type: "stale", sensor: "*", afterMs: 30_000 } }]);
    const s = await rig.feed("temperature", [20, 20, 20], 0);
    await rig.advance(28_000); // 29 s since the last reading
    expect(rig.transitions()).toHaveLength(0);
    await rig.advance(1_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged"]);
    await rig.advance(60_000);
    expect(rig.transitions()).toHaveLength(1); // raised once, not again and again
    await rig.feed("temperature", [20], s + 89);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged"]);
  });
});

describe("unit-level conditions", () => {
  it("operational_state raises while the unit is in one of the states", async () => {
    rig = await startAlarmRig([{ id: "starting", severity: "LOW", category: "PROCESS", message: "{unit} starting", condition: { type: "operational_state", states: ["STARTUP"] } }], { unit: { startupMs: 10_000 } });
    await rig.feed("temperature", [20, 20, 20], 0);
    expect(rig.transitions()).toMatchObject([{ event: "raised", alarmId: "UNIT001/starting/_", sensor: null, message: "UNIT001 starting" }]);
    await rig.feed("temperature", Array.from({ length: 10 }, () => 20), 3);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged"]);
  });

  const both: RuleInput = {
    id: "hot_and_shaking",
    severity: "HIGH",
    category: "MECHANICAL",
    message: "{unit}: hot and shaking",
    condition: {
      type: "all",
      conditions: [
        { type: "greater_than", sensor: "temperature", value: 40 },
        { type: "greater_than", sensor: "vibration", value: 8 },
      ],
    },
  };

  it("all raises only while every part holds, as one alarm for the unit", async () => {
    rig = await startAlarmRig([both]);
    let s = await rig.feed("temperature", [45], 0);
    expect(rig.transitions()).toHaveLength(0);
    s = await rig.feed("vibration", [9], s);
    expect(rig.transitions()).toMatchObject([{ event: "raised", alarmId: "UNIT001/hot_and_shaking/_" }]);
    await rig.feed("temperature", [30], s);
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "cleared:cleared_unacknowledged"]);
  });

  it("any raises while one part holds, and its on-delay runs on the node clock", async () => {
    rig = await startAlarmRig([{ ...both, id: "hot_or_shaking", condition: { ...both.condition, type: "any" } as RuleInput["condition"], onDelayMs: 3_000 }]);
    await rig.feed("vibration", [9], 0);
    expect(rig.transitions()).toHaveLength(0);
    await rig.advance(3_000);
    expect(rig.events()).toEqual(["raised:active_unacknowledged"]);
  });
});

describe("rule targets", () => {
  it("a rule for a unit that has not appeared yet starts working when it appears, and leaves other units alone", async () => {
    rig = await startAlarmRig([hot({ unit: "UNIT009" })]);
    await rig.feed("temperature", [60], 0);
    expect(rig.transitions()).toHaveLength(0);
    await rig.feed("temperature", [60], 1, "UNIT009");
    expect(rig.transitions("UNIT009")).toMatchObject([{ event: "raised", unit: "UNIT009" }]);
  });
});

describe("rule changes at run time", () => {
  const install = async (r: AlarmRig, version: number, rules: readonly RuleInput[]) => {
    const set = { version, rules: parseRules(rules) };
    for (const key of keysForEveryShard(r.system.workers, "rules-")) await r.system.ask(`rulebook/${key}`, { type: "install", set });
  };

  it("a new version takes effect on the next reading, without a restart", async () => {
    rig = await startAlarmRig([hot()]);
    let s = await rig.feed("temperature", [45], 0);
    expect(rig.transitions()).toHaveLength(0);
    await install(rig, 2, [hot({ condition: { type: "greater_than", sensor: "temperature", value: 40 }, message: "now above 40: {value}" })]);
    s = await rig.feed("temperature", [45], s);
    expect(rig.transitions()).toMatchObject([{ event: "raised", message: "now above 40: 45" }]);
    expect(s).toBe(2);
  });

  it("an older version arriving late is ignored", async () => {
    rig = await startAlarmRig([hot()]);
    await install(rig, 3, [hot({ condition: { type: "greater_than", sensor: "temperature", value: 40 } })]);
    await install(rig, 2, [hot()]);
    await rig.feed("temperature", [45], 0);
    expect(rig.transitions()).toHaveLength(1);
  });

  it("removing a rule ends its active alarms", async () => {
    rig = await startAlarmRig([hot()]);
    const s = await rig.feed("temperature", [60], 0);
    await install(rig, 2, []);
    await rig.system.ask("alarm/UNIT001", { type: "rules-changed" });
    expect(rig.events()).toEqual(["raised:active_unacknowledged", "removed:normal"]);
    await rig.feed("temperature", [60, 20, 60], s);
    expect(rig.events()).toHaveLength(2);
  });
});
