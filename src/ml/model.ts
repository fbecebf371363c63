/**
 * What training produces: a model as plain data (typed arrays and numbers),
 * so it crosses from a training worker by structured clone, and `predict`,
 * the TypeScript reference its ONNX export is checked against.
 *
 * Every model is defined on float32-rounded inputs (the ONNX graph's input
 * type), so the two agree on which side of a split each row falls.
 */
import { toFloat32 } from "./dataset.js";

export const ALGORITHMS = ["isolation_forest", "random_forest", "gradient_boosting", "linear_regression", "logistic_regression"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/**
 * anomaly: unsupervised, score in (0, 1), higher is more anomalous;
 * binary / multiclass: class probabilities; regression: one number per row.
 */
export const TASKS = ["anomaly", "binary", "multiclass", "regression"] as const;
export type Task = (typeof TASKS)[number];

/**
 * One decision tree, flat. Node 0 is the root; a leaf has feature -1. Each
 * leaf holds `width` values, added to the ensemble's outputs from `target` on.
 */
export interface Tree {
  readonly feature: Int32Array;
  /** float32 thresholds: a row goes left when float32(x[feature]) <= threshold. */
  readonly threshold: Float32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** nodes × width values (only leaves' are used). */
  readonly value: Float64Array;
  readonly width: number;
  readonly target: number;
}

interface ModelBase {
  readonly algorithm: Algorithm;
  readonly task: Task;
  readonly features: readonly string[];
  /** Classes of a classifier (2 for binary); 0 otherwise. */
  readonly classes: number;
}

/**
 * raw = base + (sum or average over trees of their leaf values); then
 * sigmoid (binary: p1, output [1 − p1, p1]), softmax (multiclass),
 * isolation (2^(−raw / c), the isolation-forest score) or none.
 */
export interface TreeEnsembleModel extends ModelBase {
  readonly kind: "trees";
  readonly trees: readonly Tree[];
  /** Width of the raw output before the transform. */
  readonly targets: number;
  readonly aggregate: "sum" | "average";
  readonly base: Float64Array;
  readonly transform: "none" | "sigmoid" | "softmax" | "isolation";
  /** Isolation forest: c(ψ), the mean path length of an unsuccessful search in a tree grown from ψ rows. */
  readonly pathNorm: number;
}

/**
 * raw = ((x − center) · scale) · weights + bias (weights features × targets,
 * row-major); then softmax for classifiers. The standardisation stays in
 * the model (and the ONNX graph) instead of being folded into the weights:
 * folded weights on raw features of very different sizes cancel each other
 * in float32 far beyond any useful tolerance.
 */
export interface LinearModel extends ModelBase {
  readonly kind: "linear";
  readonly targets: number;
  /** Per feature, float32 values: subtracted, then multiplied. */
  readonly center: Float64Array;
  readonly scale: Float64Array;
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly transform: "none" | "softmax";
}

export type Model = TreeEnsembleModel | LinearModel;

/** Columns of a model's output: class probabilities for classifiers, else one (score or prediction). */
export function outputWidth(model: Model): number {
  return model.task === "binary" || model.task === "multiclass" ? model.classes : 1;
}

/** Name of the model's main float output, in ONNX and in scoring. */
export function outputName(model: Model): "score" | "probabilities" | "prediction" {
  return outputNameOf(model.task);
}

/** The main output's name for a task: what a scorer reads from a session's results. */
export function outputNameOf(task: Task): "score" | "probabilities" | "prediction" {
  if (task === "anomaly") return "score";
  if (task === "regression") return "prediction";
  return "probabilities";
}

/** Scores `rows` rows of x (row-major, model.features.length wide): rows × outputWidth values. */
export function predict(model: Model, x: Float64Array | Float32Array, rows: number): Float64Array {
  const fx = x instanceof Float32Array ? x : toFloat32(x);
  const raw = model.kind === "trees" ? ensembleRaw(model, fx, rows) : linearRaw(model, fx, rows);
  return finish(model, raw, rows);
}

/** Index of the largest of each row's `width` values (the predicted class). */
export function argmaxRows(values: Float64Array, width: number): Int32Array {
  const rows = values.length / width;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if ((values[r * width + c] as number) > (values[r * width + best] as number)) best = c;
    out[r] = best;
  }
  return out;
}

/** The leaf a row reaches in a tree. */
export function leafOf(tree: Tree, x: Float32Array, at: number): number {
  const { feature, threshold, left, right } = tree;
  let node = 0;
  for (let f = feature[0] as number; f >= 0; f = feature[node] as number) {
    node = (x[at + f] as number) <= (threshold[node] as number) ? (left[node] as number) : (right[node] as number);
  }
  return node;
}

function ensembleRaw(model: TreeEnsembleModel, x: Float32Array, rows: number): Float64Array {
  const d = model.features.length;
  const k = model.targets;
  const raw = new Float64Array(rows * k);
  for (const tree of model.trees) {
    const w = tree.width;
    for (let r = 0; r < rows; r++) {
      const leaf = leafOf(tree, x, r * d);
      for (let j = 0; j < w; j++) raw[r * k + tree.target + j]! += tree.value[leaf * w + j] as number;
    }
  }
  const scale = model.aggregate === "average" ? 1 / model.trees.length : 1;
  for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) raw[r * k + j] = (raw[r * k + j] as number) * scale + (model.base[j] as number);
  return raw;
}

function linearRaw(model: LinearModel, x: Float32Array, rows: number): Float64Array {
  const d = model.features.length;
  const k = model.targets;
  const raw = new Float64Array(rows * k);
  const z = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < d; f++) z[f] = ((x[r * d + f] as number) - (model.center[f] as number)) * (model.scale[f] as number);
    for (let j = 0; j < k; j++) {
      let s = model.bias[j] as number;
      for (let f = 0; f < d; f++) s += (z[f] as number) * (model.weights[f * k + j] as number);
      raw[r * k + j] = s;
    }
  }
  return raw;
}

function finish(model: Model, raw: Float64Array, rows: number): Float64Array {
  switch (model.transform) {
    case "none":
      return raw;
    case "isolation":
      return raw.map((h) => 2 ** (-h / model.pathNorm));
    case "sigmoid": {
      const out = new Float64Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        const p = 1 / (1 + Math.exp(-(raw[r] as number)));
        out[2 * r] = 1 - p;
        out[2 * r + 1] = p;
      }
      return out;
    }
    case "softmax": {
      softmaxRows(raw, model.targets);
      return raw;
    }
  }
}

/** In place: each row of `width` values becomes its softmax. */
export function softmaxRows(values: Float64Array, width: number): void {
  for (let o = 0; o < values.length; o += width) {
    let max = -Infinity;
    for (let j = 0; j < width; j++) max = Math.max(max, values[o + j] as number);
    let sum = 0;
    for (let j = 0; j < width; j++) sum += values[o + j] = Math.exp((values[o + j] as number) - max);
    for (let j = 0; j < width; j++) values[o + j] = (values[o + j] as number) / sum;
  }
}
