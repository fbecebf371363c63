/**
 * The simulator's ground truth as label rows, so a trainer can join it to
 * the readings in history like any other labels: each scenario over its
 * span on each sensor it touched (its kind as the label), each unit's
 * operational state from one change to the next (`state:<STATE>`), and in
 * run-to-failure mode each failure (`failure`) with the life's operating
 * rate (`operating_rate:<hours per hour>`: a simulated cycle of several
 * operating hours passes in one reading interval).
 *
 * Incremental: `take(now)` returns only spans that have closed since the
 * last call (a span still open would be stored again with another end),
 * so a node writes them as the simulation runs. A history that ends (a
 * simulated one) closes what is still open with `close(end)`: a unit that
 * stayed in one state over the whole window would otherwise have no label.
 */
import type { GroundTruth } from "../simulator/index.js";
import type { LabelRow } from "../../store/index.js";
import { FAILURE_LABEL, operatingRateLabel, stateLabel } from "./labels.js";

const HOUR_MS = 60 * 60 * 1000;
export const SIMULATOR_SOURCE = "simulator";

export class TruthLabeller {
  private readonly scenariosDone = new Set<string>();
  private readonly statesDone = new Map<string, number>();
  private readonly livesDone = new Set<string>();

  /** @param cycleMs run-to-failure: wall-clock milliseconds of one cycle (the reading interval) */
  constructor(
    private readonly truth: GroundTruth,
    private readonly cycleMs: number,
  ) {}

  /** Label rows for spans closed at or before `now` and not taken before. */
  take(now: number): LabelRow[] {
    const out: LabelRow[] = [];
    for (const s of this.truth.scenarios()) {
      if (s.endsAt > now || this.scenariosDone.has(s.id)) continue;
      this.scenariosDone.add(s.id);
      for (const sensor of s.sensors) out.push({ unit: s.unit, sensor, from: s.startedAt, to: s.endsAt, label: s.kind, source: SIMULATOR_SOURCE });
    }
    const byUnit = new Map<string, ReturnType<GroundTruth["stateChanges"]>>();
    for (const c of this.truth.stateChanges()) {
      let list = byUnit.get(c.unit);
      if (list === undefined) byUnit.set(c.unit, (list = []));
      list.push(c);
    }
    for (const [unit, changes] of byUnit) {
      const done = this.statesDone.get(unit) ?? -Infinity;
      for (let i = 0; i + 1 < changes.length; i++) {
        const c = changes[i]!;
        const next = changes[i + 1]!;
        if (c.ts <= done || next.ts > now || next.ts <= c.ts) continue;
        out.push({ unit, sensor: null, from: c.ts, to: next.ts, label: stateLabel(c.state), source: SIMULATOR_SOURCE });
        this.statesDone.set(unit, c.ts);
      }
    }
    for (const life of this.truth.lives()) {
      const key = `${life.unit}#${life.life}`;
      if (life.failedAt === null || life.failedAt > now || this.livesDone.has(key)) continue;
      this.livesDone.add(key);
      out.push({ unit: life.unit, sensor: null, from: life.failedAt, to: life.failedAt + 1, label: FAILURE_LABEL, source: SIMULATOR_SOURCE });
      out.push({ unit: life.unit, sensor: null, from: life.installedAt, to: life.failedAt + 1, label: operatingRateLabel((life.hoursPerCycle * HOUR_MS) / this.cycleMs), source: SIMULATOR_SOURCE });
    }
    return out;
  }

  /**
   * `take(end)`, then every span still open at `end` as ending there: a
   * unit's current state since its last change, a scenario not over yet.
   * For a history that stops at `end`; take nothing after it.
   */
  close(end: number): LabelRow[] {
    const out = this.take(end);
    for (const s of this.truth.scenarios()) {
      if (this.scenariosDone.has(s.id) || s.startedAt >= end) continue;
      this.scenariosDone.add(s.id);
      for (const sensor of s.sensors) out.push({ unit: s.unit, sensor, from: s.startedAt, to: end, label: s.kind, source: SIMULATOR_SOURCE });
    }
    const last = new Map<string, ReturnType<GroundTruth["stateChanges"]>[number]>();
    for (const c of this.truth.stateChanges()) if (c.ts < end) last.set(c.unit, c);
    for (const [unit, c] of last) {
      if (c.ts <= (this.statesDone.get(unit) ?? -Infinity)) continue;
      out.push({ unit, sensor: null, from: c.ts, to: end, label: stateLabel(c.state), source: SIMULATOR_SOURCE });
      this.statesDone.set(unit, c.ts);
    }
    return out;
  }
}
