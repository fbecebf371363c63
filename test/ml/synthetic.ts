/**
 * A small synthetic table for the algorithm specs: six features on very
 * different scales (offsets of 0..500, spreads of 1..6), a binary label, a
 * seven-class label and a nonlinear regression target, all from one seed.
 */
import { SeededRandom } from "../../src/runtime/index.js";
import type { Dataset } from "../../src/ml/index.js";

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
