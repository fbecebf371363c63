/**
 * Rules are validated at the boundary and changed through one versioned
 * registry that keeps who changed what.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, parseRule, parseRules, RuleBook, RuleRegistry, renderMessage, type RuleInput } from "../../src/rules/index.js";
import { isVigilError } from "../../src/runtime/index.js";

const hot: RuleInput = { id: "hot", severity: "CRITICAL", category: "THERMAL", message: "High temperature alert: {value}°C", condition: { type: "greater_than", sensor: "temperature", value: 85 } };

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return "no error";
  } catch (err) {
    return isVigilError(err) ? `${err.code}: ${err.message}` : String(err);
  }
}

describe("rule validation", () => {
  it("the shipped defaults are valid rules", () => {
    expect(parseRules(DEFAULT_RULES).map((r) => r.id)).toContain("temperature_critical");
  });

  it("fills the defaults: enabled, any unit, no deadband, no delays", () => {
    expect(parseRule(hot)).toMatchObject({ enabled: true, unit: "*", deadband: 0, onDelayMs: 0, offDelayMs: 0 });
  });

  it("names the rule and the field of a bad rule", () => {
    expect(codeOf(() => parseRule({ ...hot, condition: { type: "greater_than", sensor: "temperature", value: Number.NaN } }))).toMatch(/^VIGIL_RULE_INVALID: rule "hot": condition/);
    expect(codeOf(() => parseRule({ ...hot, severity: "URGENT" }))).toMatch(/rule "hot": severity: one of LOW, MEDIUM, HIGH, CRITICAL/);
    expect(codeOf(() => parseRule({ ...hot, condition: { type: "outside_range", sensor: "x", low: 5, high: 1 } }))).toMatch(/VIGIL_RULE_INVALID/);
    expect(codeOf(() => parseRule({ ...hot, condition: { type: "all", conditions: [{ type: "quality_bad", sensor: "*" }, { type: "quality_bad", sensor: "a" }] } }))).toMatch(/named sensor/);
  });

  it("refuses duplicate ids, a missing parent and a parent cycle in a set", () => {
    expect(codeOf(() => parseRules([hot, hot]))).toMatch(/defined twice/);
    expect(codeOf(() => parseRules([{ ...hot, parent: "nope" }]))).toMatch(/parent: no rule "nope"/);
    expect(codeOf(() => parseRules([{ ...hot, parent: "b" }, { ...hot, id: "b", parent: "hot" }]))).toMatch(/comes back/);
  });

  it("renders message templates with the value rounded for people", () => {
    expect(renderMessage("High temperature alert: {value}°C on {unit}/{sensor}", { value: 91.23456, unit: "U1", sensor: "temperature", rule: "hot", severity: "CRITICAL" })).toBe(
      "High temperature alert: 91.23°C on U1/temperature",
    );
  });
});

describe("the rule registry", () => {
  it("bumps the version on every change and keeps who made it", () => {
    const registry = new RuleRegistry(parseRules([hot]), { now: () => 42 });
    expect(registry.version).toBe(1);
    expect(registry.put({ ...hot, id: "cold", condition: { type: "less_than", sensor: "temperature", value: 0 } }, "alice")).toMatchObject({ version: 2, created: true });
    expect(registry.put({ ...hot, severity: "HIGH" }, "bob")).toMatchObject({ version: 3, created: false });
    expect(registry.remove("cold", "carol")).toEqual({ version: 4 });
    expect(registry.history().map((c) => [c.version, c.action, c.by, c.ruleId])).toEqual([
      [1, "load", "config", null],
      [2, "put", "alice", "cold"],
      [3, "put", "bob", "hot"],
      [4, "remove", "carol", "cold"],
    ]);
    expect(registry.at(2)?.rules.map((r) => r.id)).toEqual(["hot", "cold"]);
    expect(registry.get("hot")?.severity).toBe("HIGH");
  });

  it("leaves the set and its version alone when a change is invalid", () => {
    const registry = new RuleRegistry(parseRules([hot]));
    expect(codeOf(() => registry.put({ ...hot, id: "child", parent: "ghost" }, "alice"))).toMatch(/VIGIL_RULE_INVALID/);
    expect(codeOf(() => registry.remove("ghost", "alice"))).toMatch(/VIGIL_RULE_NOT_FOUND/);
    expect(codeOf(() => registry.put({ ...hot, id: "system.flood" }, "alice"))).toMatch(/reserved for the alarm system/);
    expect(registry.version).toBe(1);
  });

  it("will not remove a rule another one names as its parent", () => {
    const registry = new RuleRegistry(parseRules([hot, { ...hot, id: "warm", parent: "hot" }]));
    expect(codeOf(() => registry.remove("hot", "alice"))).toMatch(/parent of "warm"/);
  });

  it("tells its listeners each new version", () => {
    const registry = new RuleRegistry([]);
    const seen: number[] = [];
    registry.onChange((set) => seen.push(set.version));
    registry.replaceAll([hot], "alice");
    expect(seen).toEqual([2]);
  });
});

describe("the rule book", () => {
  it("compiles the atoms of sensors watched by the same rules once, and a unit-specific rule apart", () => {
    const book = new RuleBook({ version: 1, rules: parseRules([hot, { ...hot, id: "u9", unit: "UNIT009", condition: { type: "less_than", sensor: "temperature", value: 0 } }]) });
    const one = book.sensorAtoms("UNIT001", "temperature");
    expect(book.sensorAtoms("UNIT002", "temperature")).toBe(one);
    expect(one.ruleIds).toEqual(["hot"]);
    expect(book.sensorAtoms("UNIT009", "temperature").ruleIds).toEqual(["hot", "u9"]);
    expect(book.sensorAtoms("UNIT001", "pressure").length).toBe(0);
  });
});
