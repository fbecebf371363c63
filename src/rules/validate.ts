/**
 * Validating rules at the boundary: one rule (the API's add/replace) or a
 * whole set (the rules file, a bulk replace). Errors name the rule and the
 * field, e.g. `rule "hot": condition.value: a finite number`.
 */
import { VigilError } from "../runtime/index.js";
import { ruleSchema, SYSTEM_RULE_PREFIX, type Rule } from "./schema.js";

export function parseRule(input: unknown): Rule {
  const parsed = ruleSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const id = typeof input === "object" && input !== null && typeof (input as { id?: unknown }).id === "string" ? (input as { id: string }).id : "?";
  const field = issue?.path.join(".") || "rule";
  throw new VigilError("VIGIL_RULE_INVALID", `rule "${id}": ${field}: ${issue?.message ?? "invalid"}`);
}

/**
 * A whole rule set: every rule valid, ids unique, each parent an existing
 * rule other than itself and no parent chain going round in a circle.
 */
export function parseRules(input: unknown, options: { allowSystem?: boolean } = {}): Rule[] {
  if (!Array.isArray(input)) throw new VigilError("VIGIL_RULE_INVALID", "rules: expected a list of rules");
  const rules = input.map((r) => parseRule(r));
  checkRuleSet(rules, options);
  return rules;
}

export function checkRuleSet(rules: readonly Rule[], options: { allowSystem?: boolean } = {}): void {
  const byId = new Map<string, Rule>();
  for (const rule of rules) {
    if (byId.has(rule.id)) throw new VigilError("VIGIL_RULE_INVALID", `rule "${rule.id}": id: defined twice`);
    if (!options.allowSystem && rule.id.startsWith(SYSTEM_RULE_PREFIX)) {
      throw new VigilError("VIGIL_RULE_INVALID", `rule "${rule.id}": id: "${SYSTEM_RULE_PREFIX}*" ids are reserved for the alarm system`);
    }
    byId.set(rule.id, rule);
  }
  for (const rule of rules) {
    if (rule.parent === undefined) continue;
    if (!byId.has(rule.parent)) throw new VigilError("VIGIL_RULE_INVALID", `rule "${rule.id}": parent: no rule "${rule.parent}"`);
    const seen = new Set([rule.id]);
    for (let p: string | undefined = rule.parent; p !== undefined; p = byId.get(p)?.parent) {
      if (seen.has(p)) throw new VigilError("VIGIL_RULE_INVALID", `rule "${rule.id}": parent: the parent chain comes back to "${p}"`);
      seen.add(p);
    }
  }
}
