/**
 * Column means and standard deviations of the float32-rounded features:
 * the linear learners fit on standardised columns (well conditioned, one
 * learning rate for all) and fold the scaling back into plain weights, so
 * the exported model is a single MatMul + Add on raw features.
 */
export interface Scaling {
  readonly mean: Float64Array;
  /** 1 for a constant column, so it contributes nothing instead of dividing by zero. */
  readonly std: Float64Array;
}

export function scalingOf(x: Float32Array, rows: number, d: number): Scaling {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) mean[f]! += x[r * d + f] as number;
  for (let f = 0; f < d; f++) mean[f] = (mean[f] as number) / rows;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < d; f++) {
      const v = (x[r * d + f] as number) - (mean[f] as number);
      sq[f]! += v * v;
    }
  }
  const std = sq.map((s) => {
    const sd = Math.sqrt(s / rows);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

/** Standardised copy of x. */
export function standardize(x: Float32Array, rows: number, d: number, s: Scaling): Float64Array {
  const z = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) z[r * d + f] = ((x[r * d + f] as number) - (s.mean[f] as number)) / (s.std[f] as number);
  return z;
}

/**
 * Weights learnt on standardised columns (d × k) and their bias, rewritten
 * for raw columns: w' = w / std, b' = b − Σ w·mean/std.
 */
export function unscale(w: Float64Array, b: Float64Array, s: Scaling, d: number, k: number): { weights: Float64Array; bias: Float64Array } {
  const weights = new Float64Array(d * k);
  const bias = Float64Array.from(b);
  for (let f = 0; f < d; f++) {
    for (let j = 0; j < k; j++) {
      const wf = (w[f * k + j] as number) / (s.std[f] as number);
      weights[f * k + j] = wf;
      bias[j]! -= wf * (s.mean[f] as number);
    }
  }
  return { weights, bias };
}
