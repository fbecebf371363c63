/**
 * The statistical detector: works from the first readings, with no model.
 *
 * The newest reading is judged against its baseline window *without* itself
 * (a leave-one-out z-score), so a spike cannot hide by inflating the spread it
 * is measured with. The spread used pools the window's variance with the
 * sensor's learned noise (an exponentially weighted mean of past normal
 * squared residuals) and adds its noise floor, so a window that happens to be
 * calm — or flat, while a sensor was stuck — does not turn ordinary noise
 * into alarms. |z| goes
 * through a logistic: 0.5 at `zCentre` (default 5), ~0.95 two units higher.
 */
import type { RollingFeatures, WindowStats } from "../../ml/index.js";
import type { ScoreResult, ScorerContext, SensorScorer } from "./scorer.js";
import { noiseFloorOf } from "./sensor-types.js";

/** Noise floor for an unknown type: 0.01 % of the baseline's magnitude (plus a hair, for values near 0). */
const FLOOR_OF_MEAN = 0.0001;
const FLOOR_ABSOLUTE = 1e-9;

export interface StatisticalScorerState {
  noiseVar: number;
}

export class StatisticalScorer implements SensorScorer {
  private readonly baseline: number;
  private readonly floor: number;
  private readonly zCentre: number;
  private readonly zSteepness: number;
  private readonly minSamples: number;
  private readonly threshold: number;
  private readonly noiseAlpha: number;
  /** Learned noise variance; 0 until the first full baseline. */
  private noiseVar = 0;
  /** The z-score of the last reading scored (for the actor's view and tests). */
  lastZ = 0;

  constructor(context: ScorerContext) {
    const sc = context.settings.scoring;
    this.baseline = context.baseline;
    const type = context.type;
    this.floor = type === undefined ? 0 : noiseFloorOf(type);
    this.zCentre = sc.zCentre;
    this.zSteepness = sc.zSteepness;
    this.minSamples = sc.minSamples;
    this.threshold = sc.anomalyThreshold;
    this.noiseAlpha = sc.noiseAlpha;
  }

  score(features: RollingFeatures, out: ScoreResult): void {
    out.method = "STATISTICAL";
    out.modelVersion = null;
    const w = features.windows[this.baseline] as WindowStats;
    if (w.n - 1 < this.minSamples) {
      out.score = 0;
      this.lastZ = 0;
      return;
    }
    const mean = w.meanBeforeNewest();
    const sd = w.stdBeforeNewest();
    const residual = features.latestValue - mean;
    const floor = this.floor > 0 ? this.floor : FLOOR_OF_MEAN * Math.abs(mean) + FLOOR_ABSOLUTE;
    // The window's variance pooled with the learned one, weighted alike: steadier
    // than 30 samples alone (fewer false alarms from an unluckily calm window).
    const variance = this.noiseVar > 0 ? (sd * sd + this.noiseVar) / 2 : sd * sd;
    const z = residual / Math.sqrt(variance + floor * floor);
    const s = 1 / (1 + Math.exp(-this.zSteepness * (Math.abs(z) - this.zCentre)));
    // Learn the noise from normal readings against a baseline that moves; a
    // flat baseline (a stuck sensor) says nothing about the noise.
    if (s < this.threshold && sd > 0) {
      this.noiseVar = this.noiseVar === 0 ? sd * sd : this.noiseVar + this.noiseAlpha * (residual * residual - this.noiseVar);
    }
    this.lastZ = z;
    out.score = s;
  }

  snapshot(): StatisticalScorerState {
    return { noiseVar: this.noiseVar };
  }

  restore(state: unknown): void {
    const s = state as Partial<StatisticalScorerState> | null;
    if (typeof s?.noiseVar === "number" && Number.isFinite(s.noiseVar)) this.noiseVar = s.noiseVar;
  }
}

export function statisticalScorer(context: ScorerContext): SensorScorer {
  return new StatisticalScorer(context);
}
