/**
 * Where feed events come from. The hub and the live state only see the
 * FeedSource interface; PublicationFeed turns what the node's actors publish
 * (subject + JSON, as the outlet tap or a transport subscription sees it)
 * into feed events, so a single node feeds it from its outlet tap and a
 * cluster node can feed the same class from a transport subscription.
 */
import { ALARM_SUBJECTS, type AlarmTransition } from "../../actors/alarm/index.js";
import { encodeProcessedReading, type ProcessedReading } from "../../actors/readings/index.js";
import { SUBJECTS } from "../../actors/subjects.js";
import { alarmEvent, modelUpdateEvent, sensorDataEvent, sensorDataEventOf, sensorKey, systemAlertEvent, unitStatusEvent, type FeedEvent, type ModelUpdate, type SensorKey, type SystemAlert } from "./events.js";

export type FeedListener = (event: FeedEvent) => void;

export interface FeedSource {
  /** Calls `listener` with every event from now on, in order; returns what stops it. */
  listen(listener: FeedListener): () => void;
}

const PROCESSED = SUBJECTS.processed("", "").slice(0, -1); // "vigil.processed."
const PROCESSED_BATCH = SUBJECTS.processedBatch(""); // "vigil.batch.processed."
const [UNIT_STATE, UNIT_STATE_END = ""] = SUBJECTS.unitStateAll.split("*") as [string, string?]; // "vigil.unit.", ".state"
const ALARM = ALARM_SUBJECTS.transition("", "raised").slice(0, -".raised".length); // "vigil.alarm."

export class PublicationFeed implements FeedSource {
  private listeners: FeedListener[] = [];
  /** The names of each processed-reading subject seen, one entry per sensor: parsed once, not per reading. */
  private readonly sensors = new Map<string, SensorKey | null>();
  /** Publications that could not be read (not JSON where JSON must be parsed); counted, never thrown at the publisher. */
  unreadable = 0;

  listen(listener: FeedListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /**
   * One publication of the node's actors. Processed readings and unit states
   * are passed on without parsing (their subject names unit and sensor);
   * alarm transitions, few, are parsed for their sensor and alarm id.
   * Anything else (anomalies — already processed readings —, rejections) is
   * not a feed event.
   */
  publication(subject: string, json: string): void {
    if (this.listeners.length === 0) return;
    try {
      const names = this.sensors.get(subject);
      if (names !== undefined) {
        if (names !== null) this.emit(sensorDataEventOf(names, json));
      } else if (subject.startsWith(PROCESSED)) {
        const dot = subject.indexOf(".", PROCESSED.length);
        const parsed = dot > 0 ? sensorKey(subject.slice(PROCESSED.length, dot), subject.slice(dot + 1)) : null;
        this.sensors.set(subject, parsed);
        if (parsed !== null) this.emit(sensorDataEventOf(parsed, json));
      } else if (subject.startsWith(UNIT_STATE)) {
        if (subject.endsWith(UNIT_STATE_END)) this.emit(unitStatusEvent(subject.slice(UNIT_STATE.length, -UNIT_STATE_END.length), json));
      } else if (subject.startsWith(ALARM)) {
        const t = JSON.parse(json) as AlarmTransition;
        if (typeof t.alarmId === "string" && typeof t.unit === "string") this.emit(alarmEvent(t, json));
      } else if (subject.startsWith(PROCESSED_BATCH)) {
        // Only seen from a transport subscription with transport.processed = "unit-batch".
        for (const r of JSON.parse(json) as ProcessedReading[]) this.emit(sensorDataEvent(r.unit, r.sensor, encodeProcessedReading(r)));
      }
    } catch {
      this.unreadable++;
    }
  }

  systemAlert(alert: SystemAlert): void {
    this.emit(systemAlertEvent(alert));
  }

  modelUpdate(update: ModelUpdate): void {
    this.emit(modelUpdateEvent(update));
  }
}
