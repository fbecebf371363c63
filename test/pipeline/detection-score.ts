/**
 * Scoring the pipeline's `anomaly` flag against the simulator's ground truth,
 * reading by reading (precision and recall), and scenario by scenario (was it
 * flagged on its own sensors while it lasted, did its unit's state show it).
 */
import type { ProcessedReading, UnitState } from "../../src/actors/readings/index.js";
import type { ScenarioKind, ScenarioRecord, TruthAt } from "../../src/actors/simulator/index.js";

export interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

export class DetectionScore {
  readonly all: Counts = zero();
  /** Readings labelled anomalous by scenarios of each kind (a reading under two scenarios counts for both). */
  readonly byKind = new Map<ScenarioKind, { flagged: number; labelled: number }>();
  /** Everything except readings that a degradation scenario bends. */
  readonly withoutDegradation: Counts = zero();

  add(reading: ProcessedReading, truth: TruthAt): void {
    tally(this.all, reading.anomaly, truth.anomalous);
    if (!truth.scenarios.includes("degradation")) tally(this.withoutDegradation, reading.anomaly, truth.anomalous);
    for (const kind of new Set(truth.scenarios)) {
      let k = this.byKind.get(kind);
      if (k === undefined) this.byKind.set(kind, (k = { flagged: 0, labelled: 0 }));
      k.labelled++;
      if (reading.anomaly) k.flagged++;
    }
  }
}

export function precision(c: Counts): number {
  return c.truePositives / (c.truePositives + c.falsePositives);
}

export function recall(c: Counts): number {
  return c.truePositives / (c.truePositives + c.falseNegatives);
}

export interface ScenarioDetection {
  kind: ScenarioKind;
  scenarios: number;
  /** An anomaly on one of its sensors while it lasted; null for unit_offline, which has no readings to flag. */
  flaggedOnSensor: number | null;
  /** Its unit published FAULT, DEGRADED or offline while it lasted. */
  shownByUnit: number;
}

/** Per kind: how many scenarios were flagged on their own sensors, and how many their unit's state showed. */
export function scenarioDetection(
  scenarios: readonly ScenarioRecord[],
  anomalies: readonly ProcessedReading[],
  unitStates: readonly UnitState[],
): ScenarioDetection[] {
  const byKind = new Map<ScenarioKind, ScenarioDetection>();
  for (const s of scenarios) {
    let d = byKind.get(s.kind);
    if (d === undefined) byKind.set(s.kind, (d = { kind: s.kind, scenarios: 0, flaggedOnSensor: s.kind === "unit_offline" ? null : 0, shownByUnit: 0 }));
    d.scenarios++;
    const during = (ts: number): boolean => s.startedAt <= ts && ts < s.endsAt;
    if (d.flaggedOnSensor !== null && anomalies.some((a) => a.unit === s.unit && s.sensors.includes(a.sensor) && during(a.ts))) d.flaggedOnSensor++;
    const shows = (u: UnitState): boolean => u.status === "offline" || u.operationalState === "FAULT" || u.operationalState === "DEGRADED";
    if (unitStates.some((u) => u.unit === s.unit && during(u.updatedAt) && shows(u))) d.shownByUnit++;
  }
  return [...byKind.values()];
}

function zero(): Counts {
  return { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
}

function tally(c: Counts, flagged: boolean, anomalous: boolean): void {
  if (anomalous) {
    if (flagged) c.truePositives++;
    else c.falseNegatives++;
  } else if (flagged) {
    c.falsePositives++;
  } else {
    c.trueNegatives++;
  }
}
