/**
 * The pluggable part of a sensor actor: how likely the newest reading is to
 * be anomalous, given the sensor's rolling features. The statistical scorer
 * is the default and needs no trained model; a model scorer (the models
 * issue) implements the same interface, reports `method: "MODEL"` and its
 * version, and falls back to the statistical scorer with `method: "RULES"`
 * when it has no usable model. The rule checks (limits, band, flat line,
 * quality) run in the actor whatever the scorer, and are combined with its
 * score there.
 */
import type { RollingFeatures } from "../../ml/index.js";
import type { ScoringMethod } from "../readings/index.js";
import type { SensorTypeSpec } from "./sensor-types.js";
import type { SensorSettings } from "./settings.js";

/** Written by `score`; one instance per actor, reused for every reading. */
export interface ScoreResult {
  /** 0 (normal) .. 1 (certainly anomalous). */
  score: number;
  method: ScoringMethod;
  modelVersion: string | null;
}

export interface SensorScorer {
  /**
   * Scores the newest sample in `features` (already pushed) into `out`. Runs
   * once per reading on the hot path: no allocation, no I/O, no throwing on
   * ordinary input.
   */
  score(features: RollingFeatures, out: ScoreResult): void;
  /** Learned state (plain data) to keep across restarts; part of the sensor's snapshot. */
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

export interface ScorerContext {
  readonly unit: string;
  readonly sensor: string;
  /** The sensor's type, when it is a known one. */
  readonly type: SensorTypeSpec | undefined;
  readonly settings: SensorSettings;
  /** Index in `features.windows` of the baseline window (settings.scoring.baseline). */
  readonly baseline: number;
}

/** Makes the scorer of one sensor actor. */
export type ScorerFactory = (context: ScorerContext) => SensorScorer;
