/**
 * What labels mean to the trainers, and looking them up per row. Labels are
 * intervals on a unit (or one of its sensors) from three sources — the
 * simulator's ground truth, imported label files and operator feedback on
 * alarms — in one vocabulary:
 *
 * - anomaly: a scenario kind (`high_temperature`, …), `fault`, `anomaly` or
 *   `failure` marks the span abnormal; `normal` and `false_alarm` mark it
 *   normal; a span no label covers counts as normal;
 * - operational state: `state:<STATE>` (one of OPERATIONAL_STATES);
 * - remaining useful life: `failure` at the instant the unit failed (its
 *   `from`); the RUL of a reading is the operating hours until the unit's
 *   next failure, and readings after its last known failure have none.
 *   Operating hours pass with wall-clock hours unless an
 *   `operating_rate:<hours per hour>` label says otherwise (the simulator's
 *   run-to-failure fleet runs one cycle of hours per reading interval).
 *
 * Where labels of different sources disagree, operators win over imported
 * files, and those over the simulator.
 */
import { OPERATIONAL_STATES, type OperationalState } from "../readings/index.js";
import { SCENARIO_KINDS } from "../simulator/index.js";
import type { LabelRow } from "../../store/index.js";

export const STATE_LABEL_PREFIX = "state:";
export const FAILURE_LABEL = "failure";
export const OPERATING_RATE_PREFIX = "operating_rate:";
export const NORMAL_LABELS: ReadonlySet<string> = new Set(["normal", "false_alarm"]);
export const ANOMALY_LABELS: ReadonlySet<string> = new Set<string>([...SCENARIO_KINDS, "fault", "anomaly", FAILURE_LABEL]);

const HOUR_MS = 60 * 60 * 1000;

export function stateLabel(state: OperationalState): string {
  return `${STATE_LABEL_PREFIX}${state}`;
}

export function operatingRateLabel(hoursPerHour: number): string {
  return `${OPERATING_RATE_PREFIX}${hoursPerHour}`;
}

/** Higher wins: operator feedback, then imported files, then the simulator. */
function sourceRank(source: string): number {
  if (source.startsWith("operator")) return 3;
  if (source === "import") return 2;
  return 1;
}

/** Intervals sorted by start, with the running maximum of their ends, so "which cover t" scans only candidates. */
class Intervals {
  private readonly rows: LabelRow[];
  private readonly maxTo: Float64Array;

  constructor(rows: LabelRow[]) {
    this.rows = rows.sort((a, b) => a.from - b.from || sourceRank(a.source) - sourceRank(b.source));
    this.maxTo = new Float64Array(this.rows.length);
    let max = -Infinity;
    this.rows.forEach((r, i) => (this.maxTo[i] = max = Math.max(max, r.to)));
  }

  /** Labels with from <= ts < to, latest start first. */
  *covering(ts: number): Generator<LabelRow> {
    for (let i = this.lastStartingBy(ts); i >= 0 && (this.maxTo[i] as number) > ts; i--) {
      const r = this.rows[i] as LabelRow;
      if (r.to > ts) yield r;
    }
  }

  /** The first label starting at or after ts. */
  firstFrom(ts: number): LabelRow | undefined {
    return this.rows[this.lastStartingBy(ts - 1) + 1];
  }

  private lastStartingBy(ts: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.rows[mid] as LabelRow).from <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

interface UnitLabels {
  anomaly: Intervals;
  state: Intervals;
  failure: Intervals;
  rate: Intervals;
}

export class LabelIndex {
  private readonly units = new Map<string, UnitLabels>();

  constructor(labels: readonly LabelRow[]) {
    const groups = new Map<string, Record<keyof UnitLabels, LabelRow[]>>();
    for (const l of labels) {
      let g = groups.get(l.unit);
      if (g === undefined) groups.set(l.unit, (g = { anomaly: [], state: [], failure: [], rate: [] }));
      if (l.label.startsWith(STATE_LABEL_PREFIX)) {
        if (stateIndex(l.label) >= 0) g.state.push(l);
      } else if (l.label.startsWith(OPERATING_RATE_PREFIX)) g.rate.push(l);
      else if (ANOMALY_LABELS.has(l.label) || NORMAL_LABELS.has(l.label)) {
        g.anomaly.push(l);
        if (l.label === FAILURE_LABEL && l.sensor === null) g.failure.push(l);
      }
    }
    for (const [unit, g] of groups) {
      this.units.set(unit, { anomaly: new Intervals(g.anomaly), state: new Intervals(g.state), failure: new Intervals(g.failure), rate: new Intervals(g.rate) });
    }
  }

  /** 1 when the reading of `sensor` at `ts` is labelled abnormal, else 0 (unlabelled spans are normal). */
  anomalous(unit: string, sensor: string | null, ts: number): 0 | 1 {
    let best: LabelRow | undefined;
    for (const l of this.units.get(unit)?.anomaly.covering(ts) ?? []) {
      if (l.sensor !== null && sensor !== null && l.sensor !== sensor) continue;
      if (best === undefined || sourceRank(l.source) > sourceRank(best.source) || (sourceRank(l.source) === sourceRank(best.source) && ANOMALY_LABELS.has(l.label))) best = l;
    }
    return best !== undefined && ANOMALY_LABELS.has(best.label) ? 1 : 0;
  }

  /** Index into OPERATIONAL_STATES of the unit's labelled state at `ts`; -1 when no label says. */
  state(unit: string, ts: number): number {
    let best: LabelRow | undefined;
    for (const l of this.units.get(unit)?.state.covering(ts) ?? []) if (best === undefined || sourceRank(l.source) > sourceRank(best.source)) best = l;
    return best === undefined ? -1 : stateIndex(best.label);
  }

  /** Operating hours from `ts` to the unit's next failure; NaN after its last known failure. */
  rulHours(unit: string, ts: number): number {
    const labels = this.units.get(unit);
    const failure = labels?.failure.firstFrom(ts);
    if (labels === undefined || failure === undefined) return Number.NaN;
    let rate = 1;
    for (const l of labels.rate.covering(ts)) {
      const r = Number(l.label.slice(OPERATING_RATE_PREFIX.length));
      if (Number.isFinite(r) && r > 0) rate = r;
      break;
    }
    return ((failure.from - ts) / HOUR_MS) * rate;
  }
}

function stateIndex(label: string): number {
  return OPERATIONAL_STATES.indexOf(label.slice(STATE_LABEL_PREFIX.length) as OperationalState);
}
