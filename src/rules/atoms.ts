/**
 * Rules compiled for one sensor of one unit: the sensor conditions that
 * apply to it as flat typed arrays, so evaluating them per reading is a loop
 * over numbers with no allocation and no property lookups by name.
 *
 * An atom is one sensor condition: a whole rule (`part` -1: the sensor
 * evaluates on/off delays itself) or one part of an `all`/`any` rule (`part`
 * its index: the alarm actor combines the parts and applies the delays).
 */
import { isSensorCondition, type Rule, type SensorCondition } from "./schema.js";

export const AtomKind = {
  greaterThan: 1,
  lessThan: 2,
  outsideRange: 3,
  rateRise: 4,
  rateFall: 5,
  rateEither: 6,
  stale: 7,
  qualityBad: 8,
  anomalyScore: 9,
} as const;

export interface SensorAtoms {
  readonly length: number;
  readonly ruleIds: readonly string[];
  readonly parts: Int16Array;
  readonly kinds: Uint8Array;
  /** Threshold (low for ranges, the rate limit, the score, stale's afterMs). */
  readonly a: Float64Array;
  /** High end of a range. */
  readonly b: Float64Array;
  readonly deadband: Float64Array;
  readonly onDelayMs: Float64Array;
  readonly offDelayMs: Float64Array;
  /** Any stale atom, so a sensor without one never arms a timer. */
  readonly hasStale: boolean;
}

export const NO_ATOMS: SensorAtoms = compile([]);

export function unitMatches(rule: Rule, unit: string): boolean {
  return rule.unit === "*" || rule.unit === unit;
}

type Found = { rule: Rule; part: number; c: SensorCondition }[];

/**
 * The atoms of `rules` that watch `sensor` of `unit`, in rule order. With a
 * cache, sensors watched by the same rules share one compiled copy (atoms
 * are read-only; each sensor keeps its own state): a million sensors under
 * `*` rules cost a handful of copies, not a million.
 */
export function sensorAtoms(rules: readonly Rule[], unit: string, sensor: string, cache?: Map<string, SensorAtoms>): SensorAtoms {
  const found = matching(rules, unit, sensor);
  if (cache === undefined) return compile(found);
  const key = found.map((f) => `${f.rule.id}#${f.part}`).join(" ");
  let atoms = cache.get(key);
  if (atoms === undefined) cache.set(key, (atoms = compile(found)));
  return atoms;
}

function matching(rules: readonly Rule[], unit: string, sensor: string): Found {
  const found: Found = [];
  for (const rule of rules) {
    if (!rule.enabled || !unitMatches(rule, unit)) continue;
    const c = rule.condition;
    if (isSensorCondition(c)) {
      if (c.sensor === "*" || c.sensor === sensor) found.push({ rule, part: -1, c });
    } else if (c.type === "all" || c.type === "any") {
      c.conditions.forEach((part, i) => {
        if (part.sensor === sensor) found.push({ rule, part: i, c: part });
      });
    }
  }
  return found;
}

function compile(found: readonly { rule: Rule; part: number; c: SensorCondition }[]): SensorAtoms {
  const n = found.length;
  const atoms = {
    length: n,
    ruleIds: found.map((f) => f.rule.id),
    parts: new Int16Array(n),
    kinds: new Uint8Array(n),
    a: new Float64Array(n),
    b: new Float64Array(n),
    deadband: new Float64Array(n),
    onDelayMs: new Float64Array(n),
    offDelayMs: new Float64Array(n),
    hasStale: false,
  };
  found.forEach(({ rule, part, c }, i) => {
    atoms.parts[i] = part;
    atoms.deadband[i] = rule.deadband;
    // A part's delays belong to the combination, applied where the parts meet.
    atoms.onDelayMs[i] = part < 0 ? rule.onDelayMs : 0;
    atoms.offDelayMs[i] = part < 0 ? rule.offDelayMs : 0;
    switch (c.type) {
      case "greater_than":
        atoms.kinds[i] = AtomKind.greaterThan;
        atoms.a[i] = c.value;
        break;
      case "less_than":
        atoms.kinds[i] = AtomKind.lessThan;
        atoms.a[i] = c.value;
        break;
      case "outside_range":
        atoms.kinds[i] = AtomKind.outsideRange;
        atoms.a[i] = c.low;
        atoms.b[i] = c.high;
        break;
      case "rate_of_change":
        atoms.kinds[i] = c.direction === "rise" ? AtomKind.rateRise : c.direction === "fall" ? AtomKind.rateFall : AtomKind.rateEither;
        atoms.a[i] = c.maxPerSecond;
        break;
      case "stale":
        atoms.kinds[i] = AtomKind.stale;
        atoms.a[i] = c.afterMs;
        atoms.hasStale = true;
        break;
      case "quality_bad":
        atoms.kinds[i] = AtomKind.qualityBad;
        break;
      case "anomaly_score":
        atoms.kinds[i] = AtomKind.anomalyScore;
        atoms.a[i] = c.above;
        break;
    }
  });
  return atoms;
}
