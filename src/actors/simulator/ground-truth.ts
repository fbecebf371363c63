/**
 * The simulator's ground truth, kept as intervals rather than per reading:
 * the scenarios (unit, sensors, start, end), each unit's operational state
 * and status from one change to the next, and in run-to-failure mode each
 * unit's lives (installed, failed). Any reading — or any processed reading
 * coming back out of the pipeline — is labelled by `at(unit, sensor, ts)`,
 * which agrees with the truth fields the reading carried when generated.
 *
 * Memory grows with changes, not readings: states change with hysteresis
 * (minutes apart), scenarios are injected by hand. `prune` drops what a long
 * run no longer needs; `record: false` keeps nothing (benches).
 */
import type { OperationalState, UnitStatus } from "../readings/index.js";
import type { ActiveScenario, ScenarioKind } from "./scenarios.js";

export interface ScenarioRecord extends ActiveScenario {
  /** Ended by a clear request before its planned end. */
  readonly clearedEarly: boolean;
}

export interface StateChange {
  readonly unit: string;
  /** From this instant (epoch ms) until the unit's next change. */
  readonly ts: number;
  readonly state: OperationalState;
  readonly status: UnitStatus;
  /** The unit as a whole is abnormal (run-to-failure: worn), so all its readings are anomalous. */
  readonly anomalous: boolean;
}

/** Run-to-failure mode: one installed unit's life in a slot, from installation to failure. */
export interface LifeRecord {
  readonly unit: string;
  /** 1 for the slot's first unit, 2 for its first replacement, ... */
  readonly life: number;
  /** Epoch ms of its first reading. */
  readonly installedAt: number;
  /** The cycle of its first reading (above 1 when the simulation started it part-worn). */
  readonly firstCycle: number;
  /** The cycle of its last reading, when it fails (its RUL is 0 there). */
  readonly failureCycle: number;
  readonly hoursPerCycle: number;
  /** Epoch ms of its last reading; null while it runs. */
  readonly failedAt: number | null;
}

export interface TruthAt {
  readonly anomalous: boolean;
  /** Scenarios affecting this sensor at this instant. */
  readonly scenarios: readonly ScenarioKind[];
  readonly state: OperationalState;
  readonly status: UnitStatus;
}

export interface GroundTruthExport {
  readonly scenarios: readonly ScenarioRecord[];
  readonly stateChanges: readonly StateChange[];
  readonly lives: readonly LifeRecord[];
}

export interface GroundTruthOptions {
  /** Keep records at all. @default true */
  readonly record?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class GroundTruth {
  readonly recording: boolean;
  private readonly scenarioList: Mutable<ScenarioRecord>[] = [];
  private readonly changes = new Map<string, StateChange[]>();
  private readonly lifeList: Mutable<LifeRecord>[] = [];

  constructor(options: GroundTruthOptions = {}) {
    this.recording = options.record ?? true;
  }

  recordScenario(scenario: ActiveScenario): void {
    if (this.recording) this.scenarioList.push({ ...scenario, sensors: [...scenario.sensors], clearedEarly: false });
  }

  /** A scenario was cleared before its planned end. */
  recordScenarioEnd(id: string, endsAt: number): void {
    const record = this.scenarioList.find((s) => s.id === id);
    if (record === undefined) return;
    record.endsAt = endsAt;
    record.clearedEarly = true;
  }

  recordState(change: StateChange): void {
    if (!this.recording) return;
    let list = this.changes.get(change.unit);
    if (list === undefined) this.changes.set(change.unit, (list = []));
    list.push(change);
  }

  recordInstalled(life: Omit<LifeRecord, "failedAt">): void {
    if (this.recording) this.lifeList.push({ ...life, failedAt: null });
  }

  recordFailed(unit: string, life: number, failedAt: number): void {
    const record = this.lifeList.find((l) => l.unit === unit && l.life === life);
    if (record !== undefined) record.failedAt = failedAt;
  }

  /** The truth for `sensor` of `unit` at instant `ts`; undefined before the unit's first record. */
  at(unit: string, sensor: string, ts: number): TruthAt | undefined {
    const change = this.changeAt(unit, ts);
    if (change === undefined) return undefined;
    const scenarios: ScenarioKind[] = [];
    for (const s of this.scenarioList) {
      if (s.unit === unit && s.startedAt <= ts && ts < s.endsAt && s.sensors.includes(sensor)) scenarios.push(s.kind);
    }
    return { anomalous: change.anomalous || scenarios.length > 0, scenarios, state: change.state, status: change.status };
  }

  scenarios(): ScenarioRecord[] {
    return this.scenarioList.map((s) => ({ ...s }));
  }

  stateChanges(unit?: string): StateChange[] {
    if (unit !== undefined) return [...(this.changes.get(unit) ?? [])];
    return [...this.changes.values()].flat().sort((a, b) => a.ts - b.ts);
  }

  lives(unit?: string): LifeRecord[] {
    return this.lifeList.filter((l) => unit === undefined || l.unit === unit).map((l) => ({ ...l }));
  }

  /** Everything, as plain JSON-serialisable data. */
  export(): GroundTruthExport {
    return { scenarios: this.scenarios(), stateChanges: this.stateChanges(), lives: this.lives() };
  }

  /** Forget what cannot affect instants from `before` on (keeping each unit's state at `before`). */
  prune(before: number): void {
    for (const [unit, list] of this.changes) {
      const keepFrom = lastIndexAtOrBefore(list, before);
      if (keepFrom > 0) this.changes.set(unit, list.slice(keepFrom));
    }
    removeWhere(this.scenarioList, (s) => s.endsAt <= before);
    removeWhere(this.lifeList, (l) => l.failedAt !== null && l.failedAt < before);
  }

  private changeAt(unit: string, ts: number): StateChange | undefined {
    const list = this.changes.get(unit);
    if (list === undefined) return undefined;
    const i = lastIndexAtOrBefore(list, ts);
    return i < 0 ? undefined : list[i];
  }
}

/** Index of the last change at or before `ts` (binary search; changes are in time order), -1 if none. */
function lastIndexAtOrBefore(list: readonly StateChange[], ts: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.ts <= ts) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function removeWhere<T>(list: T[], drop: (item: T) => boolean): void {
  let kept = 0;
  for (const item of list) if (!drop(item)) list[kept++] = item;
  list.length = kept;
}
