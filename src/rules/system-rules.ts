/**
 * Rules of the alarm system itself, always present and not editable: their
 * alarms are raised by the node (a flood of alarms in an operator area, a
 * model whose live inputs drifted from its training data), not by a sensor
 * or unit condition. They live on the pseudo-unit `_system`.
 */
import { ruleSchema, type Rule } from "./schema.js";

export const SYSTEM_UNIT = "_system";
export const FLOOD_RULE_ID = "system.flood";
export const MODEL_DRIFT_RULE_ID = "system.model_drift";

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
  ruleSchema.parse({
    id: MODEL_DRIFT_RULE_ID,
    name: "A model's live inputs drifted from its training data",
    severity: "MEDIUM",
    category: "SYSTEM",
    message: "Model {sensor} drifted: population stability index {value}; retraining started",
    // Never evaluated: the node raises and clears it from the trainers' drift check.
    condition: { type: "operational_state", states: ["FAULT"] },
    unit: SYSTEM_UNIT,
    enabled: false,
  }),
];
