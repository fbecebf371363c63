/**
 * The node's outlet: everything actors publish leaves the actor system here,
 * on the main thread, for the transport. Processed readings — one per
 * accepted reading, by far the most — go out one message each on
 * `vigil.processed.<unit>.<sensor>`, or, with `transport.processed:
 * "unit-batch"`, gathered per unit into one message on
 * `vigil.batch.processed.<unit>` whose payload is a JSON array.
 *
 * Why per unit: at hundreds of thousands of readings a second, the per-message
 * cost of a publish (encoding, protocol framing, the server's routing) is
 * most of what the main thread spends on output. A unit is the grain the
 * consumers ask for (a unit's dashboard, its alarms); a single sensor is
 * picked out of the array by its `sensor` field. Anomalies and unit states
 * stay one message each: they are few, and alarms want them one by one.
 *
 * A gathering lasts until the end of the current microtask run, i.e. one
 * batch from a shard worker: latency is not traded for it. Publication order
 * is kept within a unit's array, so each sensor's readings stay in order.
 */
import type { ProcessedOutput } from "../config/index.js";
import type { Transport } from "../runtime/transport/index.js";
import { SUBJECTS } from "../actors/subjects.js";

export interface NodeOutlet {
  /** What the actor system calls for every publication. */
  publish(subject: string, json: string): void;
  /** Publish what is being gathered now (also happens on its own at the end of the microtask run). */
  flush(): void;
}

const PROCESSED_PREFIX = SUBJECTS.processed("", "").slice(0, -1); // "vigil.processed."
/** Sensor subjects remembered before the memory starts afresh (it bounds a node that meets ever new sensors). */
const MAX_SUBJECTS = 65_536;

/** One unit's processed readings since the last flush, in order, and the subject they go out on. */
interface UnitGathering {
  readonly subject: string;
  readonly items: string[];
}

export function createNodeOutlet(transport: Transport, processed: ProcessedOutput): NodeOutlet {
  const encoder = new TextEncoder();
  const send = (subject: string, json: string): void => transport.publish(subject, encoder.encode(json));
  if (processed === "each") return { publish: send, flush: () => undefined };

  // Each unit's gathering, kept from flush to flush, and found by the sensor subject (no unit cut out of it per reading).
  const byUnit = new Map<string, UnitGathering>();
  const bySubject = new Map<string, UnitGathering>();
  // The units with readings since the last flush, in the order their first one came.
  let filled: UnitGathering[] = [];
  let armed = false;
  const flush = (): void => {
    armed = false;
    if (filled.length === 0) return;
    const units = filled;
    filled = [];
    for (const g of units) {
      send(g.subject, `[${g.items.join(",")}]`);
      g.items.length = 0;
    }
    // Forgotten only between flushes, so a unit never has two gatherings at once.
    if (bySubject.size >= MAX_SUBJECTS) {
      bySubject.clear();
      byUnit.clear();
    }
  };
  const gatheringOf = (subject: string): UnitGathering | undefined => {
    if (!subject.startsWith(PROCESSED_PREFIX)) return undefined;
    const dot = subject.indexOf(".", PROCESSED_PREFIX.length);
    const unit = subject.slice(PROCESSED_PREFIX.length, dot < 0 ? undefined : dot);
    let g = byUnit.get(unit);
    if (g === undefined) byUnit.set(unit, (g = { subject: SUBJECTS.processedBatch(unit), items: [] }));
    bySubject.set(subject, g);
    return g;
  };
  return {
    publish(subject, json) {
      const g = bySubject.get(subject) ?? gatheringOf(subject);
      if (g === undefined) {
        send(subject, json);
        return;
      }
      if (g.items.length === 0) filled.push(g);
      g.items.push(json);
      if (!armed) {
        armed = true;
        queueMicrotask(flush);
      }
    },
    flush,
  };
}
