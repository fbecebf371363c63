/**
 * One alarm's record inside its unit's alarm actor: plain data, so the
 * actor's snapshot is just its records.
 */
import type { AlarmFeedback, AlarmStateName } from "./transition.js";

export interface AlarmRecord {
  id: string;
  rule: string;
  sensor: string | null;
  state: AlarmStateName;
  /** The condition as the alarm sees it, after on/off delays. */
  condition: boolean;
  /** The raw condition of unit-level rules (operational_state, all/any), before their delays. */
  raw: boolean;
  /** The parts of an all/any rule that hold, by index. */
  parts: boolean[];
  /** Epoch ms the raw condition started to differ from `condition` (unit-level delays); null when it does not. */
  pendingSince: number | null;
  value: number | null;
  raisedAt: number | null;
  acknowledgedBy: string | null;
  comment: string | null;
  shelvedUntil: number | null;
  suppressedBy: "maintenance" | "parent" | null;
  escalated: boolean;
  feedback: AlarmFeedback | null;
  updatedAt: number;
  /** Tokens of the timers last armed for this alarm; a timer whose token differs is stale. */
  shelveToken: number;
  escalateToken: number;
  delayToken: number;
}

export function newRecord(id: string, rule: string, sensor: string | null, now: number): AlarmRecord {
  return {
    id,
    rule,
    sensor,
    state: "normal",
    condition: false,
    raw: false,
    parts: [],
    pendingSince: null,
    value: null,
    raisedAt: null,
    acknowledgedBy: null,
    comment: null,
    shelvedUntil: null,
    suppressedBy: null,
    escalated: false,
    feedback: null,
    updatedAt: now,
    shelveToken: 0,
    escalateToken: 0,
    delayToken: 0,
  };
}

export function isActiveState(state: AlarmStateName): boolean {
  return state === "active_unacknowledged" || state === "active_acknowledged";
}
