/**
 * A rule book: one version of the rule set, as the actors that evaluate it
 * read it. Each shard worker holds one (built by createKinds), replaced
 * whole when a new version arrives; actors notice by comparing the version
 * they compiled against, one integer comparison per reading.
 */
import { SYSTEM_RULES } from "./system-rules.js";
import { sensorAtoms, unitMatches, type SensorAtoms } from "./atoms.js";
import type { Rule } from "./schema.js";

/** A rule set version as it travels to the workers: plain data. */
export interface RuleSetVersion {
  readonly version: number;
  readonly rules: readonly Rule[];
}

export class RuleBook {
  private current: RuleSetVersion;
  private byId: Map<string, Rule>;
  /** Compiled atoms by the rules they hold, shared by every sensor those rules watch; emptied with each version. */
  private atoms = new Map<string, SensorAtoms>();

  constructor(initial: RuleSetVersion = { version: 0, rules: [] }) {
    this.current = initial;
    this.byId = index(initial.rules);
  }

  get version(): number {
    return this.current.version;
  }

  get rules(): readonly Rule[] {
    return this.current.rules;
  }

  /** Installs a newer version; an older or equal one (a late or repeated broadcast) is ignored. */
  install(set: RuleSetVersion): boolean {
    if (set.version <= this.current.version) return false;
    this.current = set;
    this.byId = index(set.rules);
    this.atoms = new Map();
    return true;
  }

  /** A rule of this version, or a built-in system rule. */
  rule(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  sensorAtoms(unit: string, sensor: string): SensorAtoms {
    return sensorAtoms(this.current.rules, unit, sensor, this.atoms);
  }

  /** Enabled rules on this unit that the unit's alarm actor evaluates itself: operational_state and all/any. */
  unitRules(unit: string): Rule[] {
    return this.current.rules.filter((r) => r.enabled && unitMatches(r, unit) && (r.condition.type === "operational_state" || r.condition.type === "all" || r.condition.type === "any"));
  }
}

function index(rules: readonly Rule[]): Map<string, Rule> {
  const byId = new Map<string, Rule>();
  for (const r of SYSTEM_RULES) byId.set(r.id, r);
  for (const r of rules) byId.set(r.id, r);
  return byId;
}
