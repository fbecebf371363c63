/**
 * src/rules — alarm rules: their schema and validation, the defaults that
 * ship, message templates, the versioned registry through which rules change
 * at run time, and the compiled form (a RuleBook per shard worker, atoms per
 * sensor) the alarm-evaluating actors read.
 *
 * Pure data and functions: depends only on the readings' types and the
 * runtime's error type; must not depend on actors, transports, stores or HTTP.
 */
export { AtomKind, NO_ATOMS, sensorAtoms } from "./atoms.js";
export type { SensorAtoms } from "./atoms.js";
export { RuleBook } from "./book.js";
export type { RuleSetVersion } from "./book.js";
export { DEFAULT_RULES } from "./defaults.js";
export { RuleRegistry } from "./registry.js";
export type { RuleChange, RuleRegistryOptions } from "./registry.js";
export { conditionSchema, isSensorCondition, RULE_ID_PATTERN, ruleSchema, SYSTEM_RULE_PREFIX } from "./schema.js";
export type { Condition, Rule, RuleInput, SensorCondition } from "./schema.js";
export { FLOOD_RULE_ID, MODEL_DRIFT_RULE_ID, SYSTEM_RULES, SYSTEM_UNIT } from "./system-rules.js";
export { formatValue, renderMessage } from "./template.js";
export type { TemplateValues } from "./template.js";
export { checkRuleSet, parseRule, parseRules } from "./validate.js";
