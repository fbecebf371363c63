/**
 * What an alarm actor (`alarm/<unit>`) receives: condition signals from its
 * unit's sensor actors, the unit's status, operator commands, and its own
 * timers. Commands reply with an AlarmCommandResult (an ask).
 */
import type { OperationalState, UnitStatus } from "../readings/index.js";
import type { VigilErrorCode } from "../../runtime/index.js";
import type { AlarmFeedback, AlarmView } from "./transition.js";

/**
 * A rule's condition on one sensor changed (after the rule's delays), or —
 * `part` >= 0 — one part of an all/any rule did (delays applied here).
 * Sent only on a change, never per reading.
 */
export interface RuleSignal {
  readonly type: "signal";
  readonly rule: string;
  readonly part: number;
  readonly sensor: string | null;
  readonly active: boolean;
  readonly value: number | null;
  readonly ts: number;
}

/** The unit's status or operational state changed (sent by unit/<unit>). */
export interface UnitSignal {
  readonly type: "unit-state";
  readonly status: UnitStatus;
  readonly operationalState: OperationalState;
}

export interface AckCommand {
  readonly type: "ack";
  readonly alarmId: string;
  readonly by: string;
  readonly comment?: string;
}

export interface ShelveCommand {
  readonly type: "shelve";
  readonly alarmId: string;
  readonly by: string;
  readonly durationMs: number;
  readonly comment?: string;
}

export interface UnshelveCommand {
  readonly type: "unshelve";
  readonly alarmId: string;
  readonly by: string;
  readonly comment?: string;
}

export interface FeedbackCommand {
  readonly type: "feedback";
  readonly alarmId: string;
  readonly by: string;
  readonly feedback: AlarmFeedback;
  readonly comment?: string;
}

/** Replies with the unit's alarms (AlarmView[]), all of them or only those not normal. */
export interface ListQuery {
  readonly type: "list";
  readonly all?: boolean;
}

/** The rule set changed: re-read it now (alarms of removed rules end). */
export interface RulesChanged {
  readonly type: "rules-changed";
}

/** The actor's own timers; `token` ties each to what armed it. */
export interface AlarmTimer {
  readonly type: "shelve-expired" | "escalate" | "delay-due";
  readonly key: string;
  readonly token: number;
}

/** What a command replies: the alarm after it, or why it was refused (VIGIL_ALARM_NOT_FOUND, VIGIL_ALARM_COMMAND_INVALID). */
export type AlarmCommandResult = { ok: true; alarm: AlarmView } | { ok: false; code: VigilErrorCode; message: string };

export type OperatorCommand = AckCommand | ShelveCommand | UnshelveCommand | FeedbackCommand;
export type AlarmMessage = RuleSignal | UnitSignal | OperatorCommand | ListQuery | RulesChanged | AlarmTimer;
