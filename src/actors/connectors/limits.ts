/**
 * The gateway's reading limits from the `ingest` config section: how far in
 * the future or the past a timestamp may be, and which units are known.
 */
import type { VigilConfig } from "../../config/index.js";
import type { ReadingLimits } from "../readings/index.js";

export function readingLimits(ingest: VigilConfig["ingest"]): ReadingLimits {
  return {
    maxFutureMs: ingest.maxFutureMs,
    maxAgeMs: ingest.maxAgeMs,
    // An empty list means every unit is welcome.
    ...(ingest.knownUnits.length > 0 ? { knownUnits: new Set(ingest.knownUnits) } : {}),
  };
}
