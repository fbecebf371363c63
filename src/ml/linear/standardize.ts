/**
 * Column means and standard deviations of the float32-rounded features:
 * the linear learners fit on standardised columns (well conditioned, one
 * learning rate for all), and the model keeps the same standardisation in
 * front of its weights.
 */
export interface Scaling {
  readonly mean: Float64Array;
  /** 1 for a constant column, so it contributes nothing instead of dividing by zero. */
  readonly std: Float64Array;
}

/** Of the float32 rounding of each value of x (rows × d, row-major). */
export function scalingOf(x: Float64Array, rows: number, d: number): Scaling {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let r = 0; r < rows; r++) for (let f = 0; f < d; f++) mean[f]! += Math.fround(x[r * d + f] as number);
  for (let f = 0; f < d; f++) mean[f] = (mean[f] as number) / rows;
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < d; f++) {
      const v = Math.fround(x[r * d + f] as number) - (mean[f] as number);
      sq[f]! += v * v;
    }
  }
  const std = sq.map((s) => {
    const sd = Math.sqrt(s / rows);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, std };
}

/**
 * Row r of x (rows × d, row-major) standardised into out[0..d), exactly as
 * the model will standardise it: float32 input, float32 centre and
 * multiplier. Row by row, as the learners visit them: a standardised copy of
 * a million-row matrix would cost as much memory as the matrix again.
 */
export function standardizeRow(x: Float64Array, d: number, r: number, s: { center: Float64Array; scale: Float64Array }, out: Float64Array): void {
  const o = r * d;
  for (let f = 0; f < d; f++) out[f] = (Math.fround(x[o + f] as number) - (s.center[f] as number)) * (s.scale[f] as number);
}

/** The scaling as the model keeps it: float32 centre and multiplier, what the ONNX graph applies. */
export function modelScaling(s: Scaling): { center: Float64Array; scale: Float64Array } {
  return { center: s.mean.map(Math.fround), scale: s.std.map((sd) => Math.fround(1 / sd)) };
}
