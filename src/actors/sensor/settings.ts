/**
 * How sensor actors window, check and score readings. Filled from kindConfig
 * (plain data) once per worker; `resolveSensorSettings` fills what is missing
 * with the defaults and refuses what cannot work.
 */
import type { FeatureSpec } from "../../ml/index.js";
import { featureSpecProblem } from "../../ml/index.js";
import { VigilError } from "../../runtime/index.js";

export interface SensorSettings {
  readonly windows: {
    /** @default [5, 10, 30] readings */
    readonly counts: readonly number[];
    /** @default [10000, 30000, 60000] (10 s, 30 s, 60 s) */
    readonly durationsMs: readonly number[];
  };
  /** @default 0.2 */
  readonly ewmaAlpha: number;
  /** Samples a sensor keeps at most, bounding its time windows at high rates. @default 4096 */
  readonly maxSamples: number;
  /** Time constant of the slow baseline the wear gap is measured from. @default 120000 (2 minutes) */
  readonly baselineMs: number;
  /** Flat-line detection: stuck once the value has not changed for `readings` readings spanning at least `ms`. */
  readonly stuck: {
    /** @default 10 */
    readonly readings: number;
    /** @default 0 (any span) */
    readonly ms: number;
    /** Changes up to this much count as no change. @default 0 */
    readonly tolerance: number;
  };
  /** The statistical detector (statistical-scorer.ts). */
  readonly scoring: {
    /** Window the newest reading is judged against: "c30", "t60s", … @default the largest count window, else the longest time window */
    readonly baseline?: string;
    /** |z| at which the z-score component is 0.5. @default 5 */
    readonly zCentre: number;
    /** Steepness of the logistic around zCentre. @default 1.5 */
    readonly zSteepness: number;
    /**
     * Readings in the baseline before z-scores count; also the warm-up: a
     * sensor's first readings, fewer than this, are scored by the rules, not
     * by its anomaly model (FeatureSpec.minSamples). @default 10
     */
    readonly minSamples: number;
    /** A reading is anomalous when its combined score reaches this. @default 0.5 */
    readonly anomalyThreshold: number;
    /** Weight of each normal reading in the learned noise scale. @default 0.02 */
    readonly noiseAlpha: number;
  };
  /** At most one routine update to the unit per this much reading time; changes go at once. 0: every reading. @default 1000 */
  readonly unitUpdateIntervalMs: number;
  /** Drift: the trend of the longest window would leave the normal band within this. @default 2 minutes */
  readonly driftHorizonMs: number;
  /**
   * While its unit sees wear (unit settings `wearGap`), a reading is flagged
   * `degradation` when the sensor's own wear gap — its EWMA less its slow
   * baseline, in its type's wear direction, in noise standard deviations — is
   * at least this. @default 3
   */
  readonly wearGap: number;
}

export const DEFAULT_SENSOR_SETTINGS: SensorSettings = {
  windows: { counts: [5, 10, 30], durationsMs: [10_000, 30_000, 60_000] }, // 10 s, 30 s, 60 s
  ewmaAlpha: 0.2,
  maxSamples: 4096,
  baselineMs: 2 * 60 * 1000, // 2 minutes
  stuck: { readings: 10, ms: 0, tolerance: 0 },
  scoring: { zCentre: 5, zSteepness: 1.5, minSamples: 10, anomalyThreshold: 0.5, noiseAlpha: 0.02 },
  unitUpdateIntervalMs: 1000, // 1 second
  driftHorizonMs: 2 * 60 * 1000, // 2 minutes: a minute-long trend says little about the next hour
  wearGap: 3,
};

export type SensorSettingsInput = {
  [K in keyof SensorSettings]?: SensorSettings[K] extends readonly unknown[] ? SensorSettings[K] : SensorSettings[K] extends object ? Partial<SensorSettings[K]> : SensorSettings[K];
};

export function resolveSensorSettings(input: SensorSettingsInput | undefined): SensorSettings {
  const d = DEFAULT_SENSOR_SETTINGS;
  const s: SensorSettings = {
    windows: { ...d.windows, ...input?.windows },
    ewmaAlpha: input?.ewmaAlpha ?? d.ewmaAlpha,
    maxSamples: input?.maxSamples ?? d.maxSamples,
    baselineMs: input?.baselineMs ?? d.baselineMs,
    stuck: { ...d.stuck, ...input?.stuck },
    scoring: { ...d.scoring, ...input?.scoring },
    unitUpdateIntervalMs: input?.unitUpdateIntervalMs ?? d.unitUpdateIntervalMs,
    driftHorizonMs: input?.driftHorizonMs ?? d.driftHorizonMs,
    wearGap: input?.wearGap ?? d.wearGap,
  };
  const problem = featureSpecProblem(featureSpecOf(s)) ?? settingsProblem(s);
  if (problem !== undefined) throw new VigilError("VIGIL_CONFIG_INVALID", `sensor actor settings: ${problem}`);
  return s;
}

export function featureSpecOf(s: SensorSettings): FeatureSpec {
  return { counts: s.windows.counts, durationsMs: s.windows.durationsMs, ewmaAlpha: s.ewmaAlpha, maxSamples: s.maxSamples, baselineMs: s.baselineMs, minSamples: s.scoring.minSamples };
}

function settingsProblem(s: SensorSettings): string | undefined {
  if (s.windows.counts.length + s.windows.durationsMs.length === 0) return "windows: expected at least one count or time window";
  if (!Number.isInteger(s.stuck.readings) || s.stuck.readings < 2) return `stuck.readings: expected a whole number >= 2, got ${String(s.stuck.readings)}`;
  if (!(s.stuck.ms >= 0)) return `stuck.ms: expected a duration >= 0, got ${String(s.stuck.ms)}`;
  if (!(s.stuck.tolerance >= 0)) return `stuck.tolerance: expected a number >= 0, got ${String(s.stuck.tolerance)}`;
  const sc = s.scoring;
  if (!(sc.zCentre > 0) || !(sc.zSteepness > 0)) return "scoring.zCentre and scoring.zSteepness: expected numbers > 0";
  if (!Number.isInteger(sc.minSamples) || sc.minSamples < 3) return `scoring.minSamples: expected a whole number >= 3, got ${String(sc.minSamples)}`;
  if (!(sc.anomalyThreshold > 0 && sc.anomalyThreshold < 1)) return `scoring.anomalyThreshold: expected a number in (0, 1), got ${String(sc.anomalyThreshold)}`;
  if (!(sc.noiseAlpha > 0 && sc.noiseAlpha <= 1)) return `scoring.noiseAlpha: expected a number in (0, 1], got ${String(sc.noiseAlpha)}`;
  if (!(s.unitUpdateIntervalMs >= 0)) return `unitUpdateIntervalMs: expected a duration >= 0, got ${String(s.unitUpdateIntervalMs)}`;
  if (!(s.driftHorizonMs > 0)) return `driftHorizonMs: expected a duration > 0, got ${String(s.driftHorizonMs)}`;
  if (!(s.wearGap > 0)) return `wearGap: expected a number > 0, got ${String(s.wearGap)}`;
  return undefined;
}
