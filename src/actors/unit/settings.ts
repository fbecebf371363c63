/**
 * How unit actors judge status and operational state. Filled from kindConfig
 * (plain data) once per worker.
 */
import { VigilError } from "../../runtime/index.js";

export interface UnitSettings {
  /** Offline once no sensor update has arrived for this long (node clock). @default 30 seconds */
  readonly offlineAfterMs: number;
  /** STARTUP for this long after the unit comes online. @default 5 minutes */
  readonly startupMs: number;
  /** DEGRADED once a sensor has been anomalous for this long without a break (reading time). @default 30 seconds */
  readonly sustainedAnomalyMs: number;
  /** FAULT when this many sensors (or all, if the unit has fewer) read BAD quality. @default 2 */
  readonly faultBadQualitySensors: number;
  /**
   * The unit sees wear (wear.ts) once a sensor that rises with wear and one
   * that falls with it each show a wear gap of at least this many noise
   * standard deviations. @default 4
   */
  readonly wearGap: number;
  /** …and stops seeing it once either side is back below this. @default 2 */
  readonly wearReleaseGap: number;
}

export const DEFAULT_UNIT_SETTINGS: UnitSettings = {
  offlineAfterMs: 30 * 1000, // 30 seconds
  startupMs: 5 * 60 * 1000, // 5 minutes: a pump set's ramp-up
  sustainedAnomalyMs: 30 * 1000, // 30 seconds
  faultBadQualitySensors: 2,
  wearGap: 4,
  wearReleaseGap: 2,
};

export function resolveUnitSettings(input: Partial<UnitSettings> | undefined): UnitSettings {
  const s: UnitSettings = { ...DEFAULT_UNIT_SETTINGS, ...input };
  const problem =
    !(s.offlineAfterMs > 0) ? `offlineAfterMs: expected a duration > 0, got ${String(s.offlineAfterMs)}`
    : !(s.startupMs >= 0) ? `startupMs: expected a duration >= 0, got ${String(s.startupMs)}`
    : !(s.sustainedAnomalyMs >= 0) ? `sustainedAnomalyMs: expected a duration >= 0, got ${String(s.sustainedAnomalyMs)}`
    : !(Number.isInteger(s.faultBadQualitySensors) && s.faultBadQualitySensors >= 1) ? `faultBadQualitySensors: expected a whole number >= 1, got ${String(s.faultBadQualitySensors)}`
    : !(s.wearGap > 0) ? `wearGap: expected a number > 0, got ${String(s.wearGap)}`
    : !(s.wearReleaseGap > 0 && s.wearReleaseGap <= s.wearGap) ? `wearReleaseGap: expected a number > 0 and <= wearGap (${String(s.wearGap)}), got ${String(s.wearReleaseGap)}`
    : undefined;
  if (problem !== undefined) throw new VigilError("VIGIL_CONFIG_INVALID", `unit actor settings: ${problem}`);
  return s;
}
