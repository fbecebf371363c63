/**
 * What the alarm actors publish: one AlarmTransition per lifecycle event,
 * on `vigil.alarm.<unit>.<event>`. It is the contract for the notification
 * dispatcher, history (AlarmEventRow, LabelRow), the API and the dashboard.
 */
import type { Severity } from "../readings/index.js";
import type { AlarmRecord } from "./record.js";

/** The lifecycle states, in the spirit of ISA-18.2. */
export const ALARM_STATES = ["normal", "active_unacknowledged", "active_acknowledged", "cleared_unacknowledged", "shelved", "suppressed"] as const;
export type AlarmStateName = (typeof ALARM_STATES)[number];

export const ALARM_EVENTS = ["raised", "acknowledged", "cleared", "escalated", "shelved", "unshelved", "suppressed", "unsuppressed", "removed", "feedback"] as const;
export type AlarmEvent = (typeof ALARM_EVENTS)[number];

/** Operator feedback on an alarm, kept as a training label. */
export const ALARM_FEEDBACK = ["real_fault", "false_alarm"] as const;
export type AlarmFeedback = (typeof ALARM_FEEDBACK)[number];

export interface AlarmTransition {
  /** `<unit>/<rule>/<sensor or _>`: one alarm per (rule, unit, sensor). */
  alarmId: string;
  /** Increases with every transition of the unit's alarms: `alarmId#seq` is unique. */
  seq: number;
  event: AlarmEvent;
  from: AlarmStateName;
  to: AlarmStateName;
  /** Epoch ms of the transition. */
  at: number;
  /** Who made it: an operator, "system", or the rule id for condition changes. */
  by: string;
  comment: string | null;
  rule: string;
  unit: string;
  sensor: string | null;
  severity: Severity;
  category: string;
  message: string;
  value: number | null;
  /** When the alarm last raised; null if it never has. */
  raisedAt: number | null;
  area: string | null;
  /** Only on `feedback`. */
  feedback?: AlarmFeedback;
}

/**
 * The state of one alarm, for the API: list, ack replies. It is the record
 * without the actor's bookkeeping (delays, timer tokens), plus what the rule
 * and the unit say about it; `condition` is the rule's condition after its
 * delays, whatever the state shows.
 */
export type AlarmView = Omit<AlarmRecord, "raw" | "parts" | "pendingSince" | "shelveToken" | "escalateToken" | "delayToken"> & {
  unit: string;
  severity: Severity;
  category: string;
  message: string;
  area: string | null;
};

export const ALARM_SUBJECTS = {
  transition: (unit: string, event: AlarmEvent) => `vigil.alarm.${unit}.${event}`,
  transitionAll: "vigil.alarm.*.*",
  /** Request subjects of the alarm API (ack, shelve, …, rules): `vigil.alarms.api.<op>` (plural: `vigil.alarm.<unit>` is any unit's). */
  api: (op: string) => `vigil.alarms.api.${op}`,
  apiAll: "vigil.alarms.api.>",
  /** A new rule set version, so other nodes adopt it. */
  rulesChanged: "vigil.alarms.rules.changed",
} as const;

export function alarmIdOf(unit: string, rule: string, sensor: string | null): string {
  return `${unit}/${rule}/${sensor ?? "_"}`;
}

/** The unit of an alarm id, or undefined when it is not one. */
export function unitOfAlarmId(alarmId: string): string | undefined {
  const parts = alarmId.split("/");
  return parts.length === 3 && parts.every((p) => p.length > 0) ? parts[0] : undefined;
}

export function alarmAddress(unit: string): string {
  return `alarm/${unit}`;
}
