/**
 * The one place rules change at run time: add or replace a rule, remove
 * one, or replace the whole set. Every change is validated against the
 * whole set (unique ids, parents), bumps the version, is kept in the
 * version history with who made it, and is handed to the listeners that
 * carry it to the actors evaluating rules — no restart.
 */
import { VigilError } from "../runtime/index.js";
import type { RuleSetVersion } from "./book.js";
import type { Rule } from "./schema.js";
import { checkRuleSet, parseRule, parseRules } from "./validate.js";

export interface RuleChange {
  readonly version: number;
  readonly at: number;
  /** Who changed it: an operator, "config" for the rules loaded at start. */
  readonly by: string;
  readonly action: "load" | "put" | "remove" | "replace" | "adopt";
  /** The rule added, replaced or removed; null for whole-set changes. */
  readonly ruleId: string | null;
}

export interface RuleRegistryOptions {
  now?: () => number;
  /** Full rule sets kept for `at(version)`; the change log is kept whole. @default 100 */
  keepVersions?: number;
}

export class RuleRegistry {
  private set: RuleSetVersion;
  private readonly changes: RuleChange[] = [];
  private readonly kept: RuleSetVersion[] = [];
  private readonly listeners = new Set<(set: RuleSetVersion, change: RuleChange) => void>();
  private readonly now: () => number;
  private readonly keepVersions: number;

  /** `initial` is already validated (parseRules); it becomes version 1. */
  constructor(initial: readonly Rule[], options: RuleRegistryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.keepVersions = options.keepVersions ?? 100;
    this.set = { version: 0, rules: [] };
    this.commit([...initial], { by: "config", action: "load", ruleId: null });
  }

  get version(): number {
    return this.set.version;
  }

  current(): RuleSetVersion {
    return this.set;
  }

  get(id: string): Rule | undefined {
    return this.set.rules.find((r) => r.id === id);
  }

  /** Adds a rule, or replaces the one with its id. */
  put(input: unknown, by: string): { version: number; rule: Rule; created: boolean } {
    const rule = parseRule(input);
    const rules = [...this.set.rules];
    const at = rules.findIndex((r) => r.id === rule.id);
    if (at < 0) rules.push(rule);
    else rules[at] = rule;
    const change = this.commit(rules, { by, action: "put", ruleId: rule.id });
    return { version: change.version, rule, created: at < 0 };
  }

  remove(id: string, by: string): { version: number } {
    if (this.get(id) === undefined) throw new VigilError("VIGIL_RULE_NOT_FOUND", `no rule "${id}"`);
    const child = this.set.rules.find((r) => r.parent === id);
    if (child !== undefined) throw new VigilError("VIGIL_RULE_INVALID", `rule "${id}" is the parent of "${child.id}": change that rule first`);
    return { version: this.commit(this.set.rules.filter((r) => r.id !== id), { by, action: "remove", ruleId: id }).version };
  }

  replaceAll(input: unknown, by: string): { version: number } {
    return { version: this.commit(parseRules(input), { by, action: "replace", ruleId: null }).version };
  }

  /** A newer version made elsewhere (another node): taken as it is, keeping its number. */
  adopt(set: RuleSetVersion, by: string): boolean {
    if (set.version <= this.set.version) return false;
    const rules = parseRules(set.rules);
    this.record({ version: set.version, rules }, { version: set.version, at: this.now(), by, action: "adopt", ruleId: null });
    return true;
  }

  history(): readonly RuleChange[] {
    return this.changes;
  }

  /** A kept earlier version, for audit and rollback (put its rules back with replaceAll). */
  at(version: number): RuleSetVersion | undefined {
    return this.kept.find((s) => s.version === version);
  }

  onChange(listener: (set: RuleSetVersion, change: RuleChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private commit(rules: Rule[], what: Omit<RuleChange, "version" | "at">): RuleChange {
    checkRuleSet(rules);
    const version = this.set.version + 1;
    const change: RuleChange = { version, at: this.now(), ...what };
    this.record({ version, rules }, change);
    return change;
  }

  private record(set: RuleSetVersion, change: RuleChange): void {
    this.set = set;
    this.changes.push(change);
    this.kept.push(set);
    if (this.kept.length > this.keepVersions) this.kept.shift();
    for (const listener of this.listeners) listener(set, change);
  }
}
