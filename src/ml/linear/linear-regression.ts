/**
 * Ridge-regularised least squares, solved exactly from the normal equations
 * (XᵀX + λI)w = Xᵀy on standardised columns by Cholesky decomposition:
 * O(rows·d²) once, no learning rate to tune.
 */
import { VigilError } from "../../runtime/index.js";
import type { Dataset } from "../dataset.js";
import type { LinearModel } from "../model.js";
import { modelScaling, scalingOf, standardizeRow } from "./standardize.js";

export interface LinearRegressionParams {
  /** Ridge penalty, relative to the row count. */
  readonly l2: number;
}

export const LINEAR_REGRESSION_DEFAULTS: LinearRegressionParams = { l2: 1e-4 };

export function trainLinearRegression(data: Dataset, p: LinearRegressionParams): LinearModel {
  const n = data.rows;
  const d = data.features.length;
  const y = data.y as Float64Array;
  const scaling = modelScaling(scalingOf(data.x, n, d));
  const z = new Float64Array(d);
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const A = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    standardizeRow(data.x, d, r, scaling, z);
    const t = (y[r] as number) - yMean;
    for (let i = 0; i < d; i++) {
      const zi = z[i] as number;
      rhs[i]! += zi * t;
      for (let j = 0; j <= i; j++) A[i * d + j]! += zi * (z[j] as number);
    }
  }
  for (let i = 0; i < d; i++) {
    A[i * d + i]! += p.l2 * n;
    for (let j = 0; j < i; j++) A[j * d + i] = A[i * d + j] as number;
  }
  const w = choleskySolve(A, rhs, d);
  return { kind: "linear", algorithm: "linear_regression", task: "regression", features: [...data.features], classes: 0, targets: 1, ...scaling, weights: w, bias: Float64Array.of(yMean), transform: "none" };
}

/** Solves A·w = b for symmetric positive definite A (d × d, row-major); A is overwritten. */
function choleskySolve(A: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j] as number;
    for (let k = 0; k < j; k++) s -= (A[j * d + k] as number) ** 2;
    if (!(s > 0)) throw new VigilError("VIGIL_ML_TRAINING_FAILED", "linear regression: the features are collinear; raise l2");
    const l = Math.sqrt(s);
    A[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j] as number;
      for (let k = 0; k < j; k++) t -= (A[i * d + k] as number) * (A[j * d + k] as number);
      A[i * d + j] = t / l;
    }
  }
  const v = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let t = b[i] as number;
    for (let k = 0; k < i; k++) t -= (A[i * d + k] as number) * (v[k] as number);
    v[i] = t / (A[i * d + i] as number);
  }
  for (let i = d - 1; i >= 0; i--) {
    let t = v[i] as number;
    for (let k = i + 1; k < d; k++) t -= (A[k * d + i] as number) * (v[k] as number);
    v[i] = t / (A[i * d + i] as number);
  }
  return v;
}
