/**
 * Regression metrics: MAE, RMSE, MAPE (over rows whose truth is not zero,
 * in percent), and for remaining useful life the asymmetric score of the
 * PHM08 / NASA C-MAPSS challenge, which punishes predicting failure late
 * (overestimating RUL) harder than early.
 */

export interface RegressionMetrics {
  readonly mae: number;
  readonly rmse: number;
  /** Percent; NaN when every truth is zero. */
  readonly mape: number;
}

export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  let abs = 0;
  let sq = 0;
  let pct = 0;
  let pctRows = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const e = (predicted[i] as number) - t;
    abs += Math.abs(e);
    sq += e * e;
    if (t !== 0) {
      pct += Math.abs(e / t);
      pctRows++;
    }
  }
  const n = truth.length;
  return { mae: abs / n, rmse: Math.sqrt(sq / n), mape: pctRows === 0 ? Number.NaN : (100 * pct) / pctRows };
}

/** NASA's time constants: 13 for early predictions, 10 for late ones. */
const EARLY_SCALE = 13;
const LATE_SCALE = 10;

/**
 * Σ (e^(−d/13) − 1) for early predictions (d < 0) and Σ (e^(d/10) − 1) for
 * late ones, with d = predicted − true RUL; lower is better, 0 is perfect.
 */
export function nasaRulScore(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let score = 0;
  for (let i = 0; i < truth.length; i++) {
    const d = (predicted[i] as number) - (truth[i] as number);
    score += d < 0 ? Math.exp(-d / EARLY_SCALE) - 1 : Math.exp(d / LATE_SCALE) - 1;
  }
  return score;
}
