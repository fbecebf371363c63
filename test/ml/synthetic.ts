/**
 * A small synthetic table for the algorithm specs: six features on very
 * different scales (offsets of 0..500, spreads of 1..6), a binary label, a
 * seven-class label and a nonlinear regression target, all from one seed.
 */
import { SeededRandom } from "../../src/runtime/index.js";
import { train, type Algorithm, type Dataset, type Model, type Task } from "../../src/ml/index.js";

export const FEATURES = ["f0", "f1", "f2", "f3", "f4", "f5"];

export interface SyntheticTable {
  readonly rows: number;
  readonly x: Float64Array;
  readonly binary: Float64Array;
  readonly multiclass: Float64Array;
  readonly regression: Float64Array;
}

export function syntheticTable(rows: number, seed = 7): SyntheticTable {
  const rng = new SeededRandom(seed);
  const d = FEATURES.length;
  const x = new Float64Array(rows * d);
  const binary = new Float64Array(rows);
  const multiclass = new Float64Array(rows);
  const regression = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < d; f++) x[r * d + f] = rng.normal() * (f + 1) + 100 * f;
    const a = x[r * d] as number;
    const b = (x[r * d + 1] as number) - 100;
    binary[r] = a + b > 0 ? 1 : 0;
    multiclass[r] = Math.min(6, Math.max(0, Math.floor(a + 3)));
    regression[r] = 3 * a - b * b + rng.normal();
  }
  return { rows, x, binary, multiclass, regression };
}

export function tableDataset(t: SyntheticTable, y?: Float64Array): Dataset {
  return { features: FEATURES, rows: t.rows, x: t.x, ...(y === undefined ? {} : { y }) };
}

/** Every algorithm on every task it learns, with parameters small enough for a spec. */
export const ALGORITHM_CASES: readonly [Algorithm, Task, Record<string, number>][] = [
  ["isolation_forest", "anomaly", { trees: 50 }],
  ["random_forest", "binary", { trees: 20 }],
  ["random_forest", "multiclass", { trees: 20 }],
  ["random_forest", "regression", { trees: 20 }],
  ["gradient_boosting", "binary", { rounds: 20 }],
  ["gradient_boosting", "multiclass", { rounds: 10 }],
  ["gradient_boosting", "regression", { rounds: 20 }],
  ["linear_regression", "regression", {}],
  ["logistic_regression", "binary", {}],
  ["logistic_regression", "multiclass", {}],
];

/** A model of `algorithm` trained on `t` for `task` (seven classes for multiclass), seed 3. */
export function trainedOn(t: SyntheticTable, algorithm: Algorithm, task: Task, params: Record<string, number>): Model {
  const y = task === "anomaly" ? undefined : task === "binary" ? t.binary : task === "multiclass" ? t.multiclass : t.regression;
  return train({ algorithm, task, data: tableDataset(t, y), params, seed: 3, ...(task === "multiclass" ? { classes: 7 } : {}) });
}
