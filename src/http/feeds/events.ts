/**
 * A feed event: what a client receives, serialised once when it enters the
 * feed and shared by every client it goes to. `key` names what the event is
 * the latest value of — the live-state entry it updates and the slot it takes
 * in a slow client's conflated update, so a later event of the same key
 * supersedes an earlier one.
 */
import type { AlarmTransition } from "../../actors/alarm/index.js";
import type { FeedKind } from "./protocol.js";

/** What an event does to the live state: sets its key, ends it (an alarm back to normal), or is not state at all. */
export type StateEffect = "set" | "clear" | "none";

export interface FeedEvent {
  readonly kind: FeedKind;
  /** null for events of no unit (system alerts, model updates): only the pattern `*` selects them. */
  readonly unit: string | null;
  /** null for events of no sensor (unit status, unit-level alarms). */
  readonly sensor: string | null;
  readonly key: string;
  readonly state: StateEffect;
  /** `{"kind":…,"unit":…,"sensor":…,"data":…}` as it goes on the wire. */
  readonly json: string;
}

/** An operational alert of the node itself (a shard worker crashed, …), not tied to a unit. */
export interface SystemAlert {
  readonly level: "warn" | "error";
  /** Stable code, e.g. "worker-crashed". */
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** A model registry change (its audit entry), structurally ml/registry's AuditEntry. */
export interface ModelUpdate {
  readonly ts: number;
  readonly model: string;
  readonly version: number;
  readonly action: string;
  readonly from: string | null;
  readonly to: string;
  readonly who: string;
  readonly why: string;
}

function wire(kind: FeedKind, unit: string | null, sensor: string | null, dataJson: string, extra = ""): string {
  return `{"kind":"${kind}","unit":${unit === null ? "null" : JSON.stringify(unit)},"sensor":${sensor === null ? "null" : JSON.stringify(sensor)}${extra},"data":${dataJson}}`;
}

/** What names one sensor in its reading events, made once per sensor and shared by all of them. */
export interface SensorKey {
  readonly unit: string;
  readonly sensor: string;
  /** `s/<unit>/<sensor>` */
  readonly key: string;
}

export function sensorKey(unit: string, sensor: string): SensorKey {
  return { unit, sensor, key: `s/${unit}/${sensor}` };
}

/**
 * A reading: the most frequent event by far, and with no client watching
 * its sensor only the live state sees it — so its wire form is written on
 * first use, once, not for every reading the node processes, and its names
 * are its sensor's, shared, not made again for every reading.
 */
class SensorDataEvent implements FeedEvent {
  readonly kind = "sensor_data";
  readonly state = "set";
  private wire: string | undefined;

  constructor(
    private readonly names: SensorKey,
    private readonly readingJson: string,
  ) {}

  get unit(): string {
    return this.names.unit;
  }

  get sensor(): string {
    return this.names.sensor;
  }

  get key(): string {
    return this.names.key;
  }

  get json(): string {
    return (this.wire ??= wire("sensor_data", this.names.unit, this.names.sensor, this.readingJson));
  }
}

/** `readingJson`: a ProcessedReading as the sensor actor published it. */
export function sensorDataEvent(unit: string, sensor: string, readingJson: string): FeedEvent {
  return new SensorDataEvent(sensorKey(unit, sensor), readingJson);
}

/** The same, for a sensor whose names the caller keeps. */
export function sensorDataEventOf(names: SensorKey, readingJson: string): FeedEvent {
  return new SensorDataEvent(names, readingJson);
}

/** `stateJson`: a UnitState as the unit actor published it. */
export function unitStatusEvent(unit: string, stateJson: string): FeedEvent {
  return { kind: "unit_status", unit, sensor: null, key: `u/${unit}`, state: "set", json: wire("unit_status", unit, null, stateJson) };
}

/** An alarm transition; the alarm stays in the live state (active alarms) until it returns to normal or is removed. */
export function alarmEvent(t: AlarmTransition, transitionJson: string): FeedEvent {
  const ends = t.to === "normal" || t.event === "removed";
  return {
    kind: "alarm",
    unit: t.unit,
    sensor: t.sensor,
    key: `a/${t.alarmId}`,
    state: ends ? "clear" : "set",
    json: wire("alarm", t.unit, t.sensor, transitionJson, `,"event":${JSON.stringify(t.event)}`),
  };
}

export function systemAlertEvent(alert: SystemAlert): FeedEvent {
  return { kind: "system_alert", unit: null, sensor: null, key: `y/${alert.code}`, state: "none", json: wire("system_alert", null, null, JSON.stringify(alert)) };
}

/** The latest change of each model is state: a new client learns which version is where. */
export function modelUpdateEvent(update: ModelUpdate): FeedEvent {
  return { kind: "model_update", unit: null, sensor: null, key: `m/${update.model}`, state: "set", json: wire("model_update", null, null, JSON.stringify(update)) };
}
