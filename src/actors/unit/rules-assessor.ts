/**
 * The rules that give a unit its operational state, severity, category and
 * health until a model takes over. First match wins:
 *
 * 1. Idle check (not a state yet): the unit is idle when it has at least one
 *    sensor whose type defines `idleBelow` (power, flow_rate) and every such
 *    sensor reads at or below it. While idle, anomalies of those sensors, and
 *    of any sensor reading below its normal band, are expected and do not
 *    count below: a stopped machine reads low.
 * 2. FAULT — a counted anomaly is CRITICAL (a hard limit is exceeded), or
 *    `faultBadQualitySensors` sensors (all, if fewer) read BAD quality.
 * 3. SHUTDOWN — idle.
 * 4. OVERLOAD — a sensor reads above its type's `overloadAbove` (power above 100 kW).
 * 5. STARTUP — the unit came online less than `startupMs` ago.
 * 6. DEGRADED — a counted anomaly has lasted `sustainedAnomalyMs` without a
 *    break, a sensor is drifting (its trend leaves its normal band within
 *    the drift horizon), or the unit is wearing (wear.ts: its sensors move
 *    together the way wear moves them).
 * 7. OPTIMAL — no counted anomaly, every sensor GOOD, and every sensor of a
 *    known type inside its optimal band (at least one such sensor). A unit
 *    that is OPTIMAL stays so until a value leaves the band by more than 5 %
 *    of its normal band's width, so a value wandering along the edge does not
 *    flap the state.
 * 8. NORMAL — otherwise.
 *
 * Severity and category are those of the worst counted anomaly (by severity,
 * then score). Health starts at 1 and is multiplied by (1 − penalty) for
 * each counted anomaly (LOW 0.05, MEDIUM 0.15, HIGH 0.3, CRITICAL 0.6), by
 * 0.95 for each drifting sensor, and by the state's factor (FAULT 0.6,
 * OVERLOAD 0.85, DEGRADED 0.9); it is rounded to two decimals.
 */
import type { Severity } from "../readings/index.js";
import { optimalBand } from "../sensor/index.js";
import type { Assessment, SensorEntry, UnitAssessor, UnitView } from "./assessor.js";
import type { UnitSettings } from "./settings.js";

const SEVERITY_RANK: Record<Severity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
const SEVERITY_PENALTY: Record<Severity, number> = { LOW: 0.05, MEDIUM: 0.15, HIGH: 0.3, CRITICAL: 0.6 };
const DRIFT_FACTOR = 0.95;
/** Hysteresis on leaving OPTIMAL, as a share of the normal band's width. */
const OPTIMAL_SLACK = 0.05;
const STATE_FACTOR = { FAULT: 0.6, OVERLOAD: 0.85, DEGRADED: 0.9 } as const;

export class RulesAssessor implements UnitAssessor {
  constructor(private readonly settings: UnitSettings) {}

  assess(view: UnitView, out: Assessment): void {
    const entries = view.entries;
    const idle = isIdle(entries);
    const slack = view.previous === "OPTIMAL" ? OPTIMAL_SLACK : 0;
    let worst: SensorEntry | undefined;
    let critical = false;
    let sustained = false;
    let drifting = 0;
    let bad = 0;
    let overload = false;
    let optimal = true;
    let known = 0;
    let health = 1;
    for (let i = 0; i < entries.length; i++) {
      const s = entries[i] as SensorEntry;
      if (s.quality === "BAD") bad++;
      if (s.quality !== "GOOD") optimal = false;
      if (s.drift) {
        drifting++;
        health *= DRIFT_FACTOR;
      }
      if (s.type !== undefined) {
        known++;
        // Indexed, not destructured: destructuring runs the iterator protocol, an allocation per sensor per update.
        const band = optimalBand(s.type);
        const lo = band[0];
        const hi = band[1];
        const margin = slack * (s.type.normal[1] - s.type.normal[0]);
        if (s.value < lo - margin || s.value > hi + margin) optimal = false;
        if (s.quality !== "BAD" && s.type.overloadAbove !== undefined && s.value > s.type.overloadAbove) overload = true;
      }
      if (!counts(s, idle)) continue;
      optimal = false;
      const severity = s.severity ?? "LOW";
      health *= 1 - SEVERITY_PENALTY[severity];
      if (severity === "CRITICAL") critical = true;
      if (s.anomalousSince !== null && s.ts - s.anomalousSince >= this.settings.sustainedAnomalyMs) sustained = true;
      if (worst === undefined || isWorse(s, worst)) worst = s;
    }
    const badForFault = Math.min(this.settings.faultBadQualitySensors, view.sensors.size);
    const state =
      critical || (bad > 0 && bad >= badForFault) ? "FAULT"
      : idle ? "SHUTDOWN"
      : overload ? "OVERLOAD"
      : view.startingUp ? "STARTUP"
      : sustained || drifting > 0 || view.wearing ? "DEGRADED"
      : optimal && known > 0 ? "OPTIMAL"
      : "NORMAL";
    if (state === "FAULT" || state === "OVERLOAD" || state === "DEGRADED") health *= STATE_FACTOR[state];
    out.operationalState = state;
    out.severity = worst?.severity ?? null;
    out.category = worst?.category ?? null;
    out.health = Math.round(Math.max(0, Math.min(1, health)) * 100) / 100;
    out.method = "RULES";
  }
}

function isIdle(entries: readonly SensorEntry[]): boolean {
  let indicators = 0;
  for (let i = 0; i < entries.length; i++) {
    const s = entries[i] as SensorEntry;
    const below = s.type?.idleBelow;
    if (below === undefined || s.quality === "BAD") continue;
    if (s.value > below) return false;
    indicators++;
  }
  return indicators > 0;
}

/** Whether a sensor's anomaly counts towards the unit's state (see rule 1). */
function counts(s: SensorEntry, idle: boolean): boolean {
  if (!s.anomaly) return false;
  if (!idle || s.type === undefined) return true;
  return s.type.idleBelow === undefined && s.value >= s.type.normal[0];
}

function isWorse(a: SensorEntry, b: SensorEntry): boolean {
  const ra = a.severity === null ? 0 : SEVERITY_RANK[a.severity];
  const rb = b.severity === null ? 0 : SEVERITY_RANK[b.severity];
  return ra !== rb ? ra > rb : a.score > b.score;
}
