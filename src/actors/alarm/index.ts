/**
 * src/actors/alarm — alarm management: the per-unit alarm actor and its
 * lifecycle, the per-sensor rule evaluation that runs inside sensor actors,
 * the per-worker rulebook actor, and the main-thread alarm service (the
 * in-process API, its transport request subjects, flood detection, metrics
 * and the hand-off of transitions to notifiers and history).
 *
 * Depends on the runtime's public API, src/rules and the readings types;
 * must not depend on connectors, stores' internals or HTTP.
 */
export { AlarmActor } from "./actor.js";
export type { AlarmActorOptions, AlarmActorState } from "./actor.js";
export { alarmKind, DEFAULT_ALARM_SETTINGS, rulebookKind } from "./kind.js";
export type { AlarmSettings, InstallRules } from "./kind.js";
export type * from "./messages.js";
export { SensorRules, STALE_CHECK } from "./sensor-rules.js";
export type { SensorRulesState, StaleCheck } from "./sensor-rules.js";
export { ALARM_EVENTS, ALARM_FEEDBACK, ALARM_STATES, ALARM_SUBJECTS, alarmAddress, alarmIdOf, unitOfAlarmId } from "./transition.js";
export type { AlarmEvent, AlarmFeedback, AlarmStateName, AlarmTransition, AlarmView } from "./transition.js";
export { areaResolver, DEFAULT_AREA } from "./areas.js";
export type { AreaOf } from "./areas.js";
export { FloodMonitor } from "./flood.js";
export type { FloodChange } from "./flood.js";
export { ALARM_API_OPS, ALARM_API_QUEUE, serveAlarmRequests } from "./requests.js";
export type { AlarmApiOp } from "./requests.js";
export { AlarmService } from "./service.js";
export type { AlarmFilter, AlarmServiceOptions } from "./service.js";
