/**
 * Simulated unit ids: a prefix and a zero-padded number, UNIT001..UNIT005,
 * padded wider for big fleets (UNIT0001..UNIT5000) so ids sort in order.
 */
import { ID_PATTERN } from "../readings/index.js";
import { VigilError } from "../../runtime/index.js";

export function unitIds(prefix: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", `simulator units: expected a whole number >= 1, got ${count}`);
  }
  const width = Math.max(3, String(count).length);
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, "0")}`);
  if (!ID_PATTERN.test(ids[ids.length - 1]!)) {
    throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", `simulator unit prefix "${prefix}" does not make valid unit ids`);
  }
  return ids;
}
