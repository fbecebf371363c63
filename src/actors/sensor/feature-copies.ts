/**
 * The copies of its feature vector a sensor sends its unit with each update
 * (SensorUpdate.features), recycled per worker thread. With a unit model
 * loaded a sensor tells its unit on nearly every reading, and each copy was
 * a fresh Float64Array too big for V8 to keep on the heap: a malloc'd
 * backing store and an array buffer for the collector to sweep, per
 * reading. The unit hands a copy back once it has copied it into its own
 * array (nothing else holds an update after its receiver is done with it),
 * or once a newer update took its update's place in the unit's mailbox
 * (unit/latest-updates.ts), and the next update takes it.
 *
 * An update that crosses to another worker arrives as a clone: the
 * receiver recycles the clone into its own thread's copies, the sender's
 * original is left to the collector.
 */

/** Copies kept at most: enough for the updates one drain pass of a busy worker has in flight, a few MB. */
const MAX_KEPT = 4_096;
const kept: Float64Array[] = [];

/** A copy of `vector` that the receiver of the update may hand back with `recycleFeatures`. */
export function copyFeatures(vector: Float64Array): Float64Array {
  const copy = kept.pop();
  if (copy === undefined || copy.length !== vector.length) return vector.slice();
  copy.set(vector);
  return copy;
}

/** Hands back an update's features once nothing reads them any more. */
export function recycleFeatures(copy: Float64Array): void {
  if (kept.length < MAX_KEPT) kept.push(copy);
}
