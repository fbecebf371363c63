/**
 * A unit's sensor updates are latest-wins (the unit kind's `coalesce`): an
 * update still waiting in the unit's mailbox takes the same sensor's next
 * in its place. The unit needs each sensor's latest state, and under load
 * its sensors tell it faster than it gets turns — each of its ~5 sensors an
 * update per reading, the unit 64 messages per turn of its shard — so queued
 * one behind another the updates piled up by tens of thousands per worker,
 * stale long before the unit read them, and more were refused. Now a unit
 * has at most one waiting per sensor.
 *
 * The merge leaves the unit as the two updates one after the other would:
 * the newer sets every field, but for what the unit carries across updates
 * — where a run of anomalies began (`anomalousSince`, from `runFrom` and
 * `runAnew`) — and the features, which the older one's stand for while the
 * newer has none.
 */
import type { Coalescing } from "../../runtime/index.js";
import { isSensorUpdate, recycleFeatures, type SensorUpdate } from "../sensor/index.js";
import type { UnitMessage } from "./messages.js";

type Merging = { -readonly [K in keyof SensorUpdate]: SensorUpdate[K] };

export const latestSensorUpdates: Coalescing<UnitMessage> = {
  key: (message) => (isSensorUpdate(message) ? message.sensor : undefined),
  // Only sensor updates have a key, so only they are merged.
  merge: (queued, next) => mergeSensorUpdates(queued as SensorUpdate, next as SensorUpdate),
};

/** `next` (from the same sensor, newer), changed to stand for `queued` too; neither is read again. */
export function mergeSensorUpdates(queued: SensorUpdate, next: SensorUpdate): SensorUpdate {
  const merged = next as Merging;
  if (next.anomaly && !next.runAnew) {
    // `next` goes on with the run `queued` leaves the unit in: none when `queued` is normal.
    if (queued.anomaly) {
      merged.runFrom = queued.runFrom;
      merged.runAnew = queued.runAnew;
    } else {
      merged.runAnew = true;
    }
  }
  if (queued.features !== undefined) {
    if (next.features === undefined) {
      merged.features = queued.features;
      merged.warm = queued.warm;
    } else {
      // Read by no one now: back to the sender's copies (feature-copies.ts).
      recycleFeatures(queued.features);
    }
  }
  return merged;
}
