/**
 * Multinomial logistic regression (softmax over one linear score per class;
 * binary is the two-class case), fitted by mini-batch Adam on standardised
 * columns with an L2 penalty. Rows are visited in a seeded shuffle, so a
 * seed gives the same weights every time.
 */
import type { SeededRandom } from "../../runtime/index.js";
import type { Dataset } from "../dataset.js";
import { softmaxRows, type LinearModel } from "../model.js";
import { modelScaling, scalingOf, standardizeRow } from "./standardize.js";

export interface LogisticRegressionParams {
  /** Passes over the rows; 0 picks enough for about 200,000 row visits (between 1 and 50 passes). */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
}

export const LOGISTIC_REGRESSION_DEFAULTS: LogisticRegressionParams = { epochs: 0, batchSize: 256, learningRate: 0.05, l2: 1e-4 };

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

export function trainLogisticRegression(data: Dataset, task: "binary" | "multiclass", classes: number, p: LogisticRegressionParams, rng: SeededRandom): LinearModel {
  const n = data.rows;
  const d = data.features.length;
  const K = classes;
  const y = data.y as Float64Array;
  const scaling = modelScaling(scalingOf(data.x, n, d));
  const z = new Float64Array(d);
  // Parameters: d × K weights then K biases, with Adam's moments alongside.
  const P = (d + 1) * K;
  const theta = new Float64Array(P);
  const grad = new Float64Array(P);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const scores = new Float64Array(K);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  const epochs = p.epochs > 0 ? p.epochs : Math.min(50, Math.max(1, Math.ceil(200_000 / n)));
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = order[i] as number;
      order[i] = order[j] as number;
      order[j] = tmp;
    }
    for (let from = 0; from < n; from += p.batchSize) {
      const to = Math.min(n, from + p.batchSize);
      grad.fill(0);
      for (let i = from; i < to; i++) {
        const r = order[i] as number;
        standardizeRow(data.x, d, r, scaling, z);
        for (let k = 0; k < K; k++) {
          let s = theta[d * K + k] as number;
          for (let f = 0; f < d; f++) s += (z[f] as number) * (theta[f * K + k] as number);
          scores[k] = s;
        }
        softmaxRows(scores, K);
        for (let k = 0; k < K; k++) {
          const err = (scores[k] as number) - ((y[r] as number) === k ? 1 : 0);
          for (let f = 0; f < d; f++) grad[f * K + k]! += err * (z[f] as number);
          grad[d * K + k]! += err;
        }
      }
      const size = to - from;
      step++;
      const lr = (p.learningRate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      for (let q = 0; q < P; q++) {
        const g = (grad[q] as number) / size + (q < d * K ? p.l2 * (theta[q] as number) : 0);
        m1[q] = BETA1 * (m1[q] as number) + (1 - BETA1) * g;
        m2[q] = BETA2 * (m2[q] as number) + (1 - BETA2) * g * g;
        theta[q]! -= (lr * (m1[q] as number)) / (Math.sqrt(m2[q] as number) + EPSILON);
      }
    }
  }
  return {
    kind: "linear",
    algorithm: "logistic_regression",
    task,
    features: [...data.features],
    classes: K,
    targets: K,
    ...scaling,
    weights: theta.slice(0, d * K),
    bias: theta.slice(d * K),
    transform: "softmax",
  };
}
