/**
 * Rules of the alarm system itself, always present and not editable: their
 * alarms are raised by the node (a flood of alarms in an operator area), not
 * by a sensor or unit condition. They live on the pseudo-unit `_system`.
 */
import { ruleSchema, type Rule } from "./schema.js";

export const SYSTEM_UNIT = "_system";
export const FLOOD_RULE_ID = "system.flood";

export const SYSTEM_RULES: readonly Rule[] = [
  ruleSchema.parse({
    id: FLOOD_RULE_ID,
    name: "Alarm flood in an operator area",
    severity: "HIGH",
    category: "SYSTEM",
    message: "Alarm flood in area {sensor}: {value} alarms in 10 minutes",
    // Never evaluated: the node raises and clears it from its flood monitor.
    condition: { type: "operational_state", states: ["FAULT"] },
    unit: SYSTEM_UNIT,
    enabled: false,
  }),
];
