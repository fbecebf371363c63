/**
 * Drops what a node's feed has already shown when a cluster replays it. A
 * partition's new owner restores its actors from the last snapshot and
 * replays the ingest stream from there, so the publications since that
 * snapshot come again: processed readings (the output stream stores each
 * once, but a late publication can still reach a follower), unit states and
 * alarm transitions (plain publications, repeated with fresh clocks).
 *
 * - A processed reading is new when its `ts` is after the sensor's last one
 *   (a sensor actor refuses a reading at or before its last, so its outputs'
 *   timestamps only grow).
 * - A unit state is new when its `lastReadingAt` is later, or the same with
 *   something else changed (maintenance); the `updatedAt` clock is not
 *   compared.
 * - An alarm transition is new when its unit's `seq` is past the last one
 *   seen, or when it differs from the one seen at that `seq` (the unit's
 *   alarm actor started again without a snapshot and counts from 1).
 *
 * One entry per sensor and per unit, like the live state.
 */
import { ALARM_SUBJECTS, type AlarmTransition } from "../../actors/alarm/index.js";
import { processedNumberField } from "../../actors/readings/index.js";
import { SUBJECTS } from "../../actors/subjects.js";

const PROCESSED = SUBJECTS.processed("", "").slice(0, -1); // "vigil.processed."
const [UNIT_STATE = ""] = SUBJECTS.unitStateAll.split("*"); // "vigil.unit."
const ALARM = ALARM_SUBJECTS.transition("", "raised").slice(0, -".raised".length); // "vigil.alarm."
/** Transitions per unit remembered for telling a repeat from a restarted count. */
const ALARM_MEMORY = 64;

interface UnitSeen {
  readonly lastReadingAt: number;
  /** The state without its `updatedAt`. */
  readonly content: string;
}

interface AlarmsSeen {
  last: number;
  /** seq → what that transition was. */
  readonly bySeq: Map<number, string>;
}

export class ReplayFilter {
  private readonly sensors = new Map<string, number>();
  private readonly units = new Map<string, UnitSeen>();
  private readonly alarms = new Map<string, AlarmsSeen>();
  /** Publications dropped as already shown. */
  dropped = 0;

  /** True when the publication is new to this feed (and is remembered as seen). */
  fresh(subject: string, json: string): boolean {
    let fresh = true;
    try {
      if (subject.startsWith(PROCESSED)) fresh = this.reading(subject.slice(PROCESSED.length), json);
      else if (subject.startsWith(UNIT_STATE)) fresh = this.unitState(subject, json);
      else if (subject.startsWith(ALARM)) fresh = this.transition(JSON.parse(json) as AlarmTransition);
    } catch {
      return true; // unreadable: the feed counts it
    }
    if (!fresh) this.dropped++;
    return fresh;
  }

  private reading(sensorKey: string, json: string): boolean {
    const ts = processedNumberField(json, '"ts":');
    const last = this.sensors.get(sensorKey);
    if (last !== undefined && !(ts > last)) return false;
    this.sensors.set(sensorKey, ts);
    return true;
  }

  private unitState(subject: string, json: string): boolean {
    const state = JSON.parse(json) as { lastReadingAt?: number | null; updatedAt?: number };
    const lastReadingAt = state.lastReadingAt ?? 0;
    const content = JSON.stringify({ ...state, updatedAt: 0 });
    const seen = this.units.get(subject);
    if (seen !== undefined && (lastReadingAt < seen.lastReadingAt || (lastReadingAt === seen.lastReadingAt && content === seen.content))) return false;
    this.units.set(subject, { lastReadingAt, content });
    return true;
  }

  private transition(t: AlarmTransition): boolean {
    const signature = `${t.alarmId}|${t.event}|${t.to}`;
    let seen = this.alarms.get(t.unit);
    if (seen !== undefined && t.seq <= seen.last) {
      if (seen.bySeq.get(t.seq) === signature) return false;
      seen = undefined; // a count that started again
    }
    if (seen === undefined) {
      seen = { last: 0, bySeq: new Map() };
      this.alarms.set(t.unit, seen);
    }
    seen.last = t.seq;
    seen.bySeq.set(t.seq, signature);
    if (seen.bySeq.size > ALARM_MEMORY) seen.bySeq.delete(seen.bySeq.keys().next().value as number);
    return true;
  }
}
