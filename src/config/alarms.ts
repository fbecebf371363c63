/**
 * The `alarms` section: where rules come from beyond the shipped defaults,
 * operator areas (for flood detection and routing), the flood threshold,
 * escalation and the longest shelving. The rules themselves are validated
 * by src/rules when the node loads the rules file, naming the rule and field.
 */
import { z } from "zod";
import { durationMs, flag, section, textMatching, wholeNumber } from "./fields.js";

// An area name is an alarm's sensor field for the flood alarm and a label value: keep it plain.
const AREA = /^[A-Za-z0-9_-]{1,64}$/;
const UNIT_PATTERN = /^[A-Za-z0-9_*-]{1,64}$/;

export const alarmsSchema = section({
  rulesFile: z.string({ error: "a file path, or empty for none" })
    .describe("A JSON file holding a list of rules (empty: none); they add to the built-in rules, replacing those with the same id."),
  defaultRules: flag().describe("Load the built-in rules (src/rules/defaults.ts)."),
  areas: z
    .record(textMatching(AREA, "an area name: letters, digits, '_' or '-'"), z.array(textMatching(UNIT_PATTERN, "unit ids or patterns with '*'")).min(1), {
      error: "a map of area name to unit ids or patterns",
    })
    .describe("Operator area → its units (ids or patterns with `*`); a unit in none belongs to the area `default`."),
  flood: section({
    threshold: wholeNumber(1).describe("More than this many alarms raised in one area within `windowMs` is a flood: one system alarm."),
    windowMs: durationMs(1000).describe("The window of the flood threshold."),
  }),
  escalationDelayMs: durationMs(0).describe("Notify again, as escalated, when an alarm is still unacknowledged after this long; 0: never."),
  maxShelveMs: durationMs(1).describe("The longest an operator may shelve an alarm for."),
}).describe("Alarm rules and management: rules file, areas, flood, escalation, shelving.");

export type AlarmsConfig = z.infer<typeof alarmsSchema>;
