/**
 * What a rule is: the zod schema every rule passes before it is used,
 * whether it comes from the shipped defaults, the rules file or the API.
 * Parsing fills every default, so code past this boundary never checks for
 * undefined.
 *
 * A rule watches one condition on the sensors of a unit (a unit id, or `*`
 * for every unit, including units not seen yet). Sensor conditions name a
 * sensor (or `*`: every sensor of the unit); `all`/`any` combine sensor
 * conditions on named sensors of one unit; `operational_state` watches the
 * unit's assessed state.
 */
import { z } from "zod";
import { OPERATIONAL_STATES, SEVERITIES } from "../actors/readings/index.js";

/** Rule ids appear in alarm ids and subjects' payloads, never as subject tokens. */
export const RULE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** A unit or sensor id (readings ID_PATTERN), or `*` for any. */
const TARGET_PATTERN = /^(?:[A-Za-z0-9_-]{1,64}|\*)$/;
/** Rules reserved for the alarm system itself (e.g. the flood alarm): not editable. */
export const SYSTEM_RULE_PREFIX = "system.";

const ruleId = z.string({ error: "a rule id" }).regex(RULE_ID_PATTERN, { error: "a rule id: letters, digits, '_', '.' or '-', at most 64" });
const sensorOrAny = z.string({ error: "a sensor id or *" }).regex(TARGET_PATTERN, { error: "a sensor id (letters, digits, '_' or '-') or *" });
const finite = (what: string) => z.number({ error: what }).refine(Number.isFinite, { error: what });

const greaterThan = z.strictObject({ type: z.literal("greater_than"), sensor: sensorOrAny, value: finite("a finite number") });
const lessThan = z.strictObject({ type: z.literal("less_than"), sensor: sensorOrAny, value: finite("a finite number") });
const outsideRange = z
  .strictObject({ type: z.literal("outside_range"), sensor: sensorOrAny, low: finite("a finite number"), high: finite("a finite number") })
  .refine((c) => c.low < c.high, { error: "low below high", path: ["high"] });
const rateOfChange = z.strictObject({
  type: z.literal("rate_of_change"),
  sensor: sensorOrAny,
  /** Change per second beyond which the condition holds. */
  maxPerSecond: z.number({ error: "a number > 0" }).gt(0, { error: "a number > 0" }),
  direction: z.enum(["rise", "fall", "either"]).default("either"),
});
const stale = z.strictObject({ type: z.literal("stale"), sensor: sensorOrAny, afterMs: z.number().int().min(1, { error: "a whole number of milliseconds >= 1" }) });
const qualityBad = z.strictObject({ type: z.literal("quality_bad"), sensor: sensorOrAny });
const anomalyScore = z.strictObject({
  type: z.literal("anomaly_score"),
  sensor: sensorOrAny,
  above: z.number({ error: "a score in (0, 1]" }).gt(0, { error: "a score in (0, 1]" }).lte(1, { error: "a score in (0, 1]" }),
});

export const sensorConditionSchema = z.discriminatedUnion("type", [greaterThan, lessThan, outsideRange, rateOfChange, stale, qualityBad, anomalyScore], {
  error: "a sensor condition: greater_than, less_than, outside_range, rate_of_change, stale, quality_bad or anomaly_score",
});

const operationalState = z.strictObject({
  type: z.literal("operational_state"),
  states: z.array(z.enum(OPERATIONAL_STATES), { error: `a list of ${OPERATIONAL_STATES.join(", ")}` }).min(1, { error: "at least one operational state" }),
});

/** Parts of a combination name their sensor: `*` inside one would leave "which sensors" open. */
const combinationPart = sensorConditionSchema.refine((c) => c.sensor !== "*", { error: "a named sensor (no * inside all/any)", path: ["sensor"] });
const combination = (type: "all" | "any") =>
  z.strictObject({
    type: z.literal(type),
    conditions: z.array(combinationPart, { error: "a list of sensor conditions" }).min(2, { error: "at least two conditions" }).max(16, { error: "at most 16 conditions" }),
  });

export const conditionSchema = z.union([sensorConditionSchema, operationalState, combination("all"), combination("any")], {
  error: "a condition: a sensor condition, operational_state, all or any",
});

export const ruleSchema = z.strictObject({
  id: ruleId,
  name: z.string().max(200).optional(),
  enabled: z.boolean({ error: "true or false" }).default(true),
  /** A unit id, or `*` for every unit. */
  unit: z.string({ error: "a unit id or *" }).regex(TARGET_PATTERN, { error: "a unit id (letters, digits, '_' or '-') or *" }).default("*"),
  severity: z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(", ")}` }),
  category: z.string({ error: "a category" }).regex(/^[A-Z][A-Z0-9_]{0,31}$/, { error: "a category in capitals, e.g. THERMAL" }),
  /** `{value}`, `{unit}`, `{sensor}`, `{rule}`, `{severity}` are filled in. */
  message: z.string({ error: "a message template" }).min(1).max(500),
  condition: conditionSchema,
  /** Hysteresis: how far back past the threshold a value must go before the condition clears (value units). */
  deadband: z.number({ error: "a number >= 0" }).gte(0, { error: "a number >= 0" }).default(0),
  /** The condition must hold this long before the alarm raises. */
  onDelayMs: z.number({ error: "a whole number of milliseconds >= 0" }).int().min(0).default(0),
  /** The condition must be gone this long before the alarm clears. */
  offDelayMs: z.number({ error: "a whole number of milliseconds >= 0" }).int().min(0).default(0),
  /** While this rule's alarm is active on the same unit, this rule's alarms are suppressed. */
  parent: ruleId.optional(),
});

export type SensorCondition = z.output<typeof sensorConditionSchema>;
export type Condition = z.output<typeof conditionSchema>;
export type Rule = z.output<typeof ruleSchema>;
/** A rule as written: defaults may be left out. */
export type RuleInput = z.input<typeof ruleSchema>;


export function isSensorCondition(c: Condition): c is SensorCondition {
  return c.type !== "operational_state" && c.type !== "all" && c.type !== "any";
}
