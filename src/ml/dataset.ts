/**
 * The shape training works on: a dense row-major matrix of feature values
 * with its column names and, for supervised tasks, one target per row (a
 * class index for classifiers, a number for regressors). Typed arrays, so a
 * dataset crosses into a training worker as a few block copies.
 */
import { VigilError } from "../runtime/index.js";

export interface Dataset {
  /** Column names, in matrix order; a model remembers them and scoring must supply the same. */
  readonly features: readonly string[];
  readonly rows: number;
  /** rows × features.length values, row-major. */
  readonly x: Float64Array;
  /** One target per row: a class index 0..classes-1, or a number for regression; absent for unsupervised training. */
  readonly y?: Float64Array;
}

/** Throws VIGIL_ML_DATASET_INVALID when the matrix and its names or targets disagree in size. */
export function checkDataset(data: Dataset, needsTarget: boolean): void {
  const width = data.features.length;
  if (width === 0) throw new VigilError("VIGIL_ML_DATASET_INVALID", "dataset has no feature columns");
  if (!Number.isInteger(data.rows) || data.rows < 2) throw new VigilError("VIGIL_ML_DATASET_INVALID", `dataset needs at least 2 rows, got ${data.rows}`);
  if (data.x.length !== data.rows * width) {
    throw new VigilError("VIGIL_ML_DATASET_INVALID", `dataset matrix has ${data.x.length} values, expected ${data.rows} rows × ${width} features`);
  }
  if (needsTarget && data.y === undefined) throw new VigilError("VIGIL_ML_DATASET_INVALID", "supervised training needs a target per row (y)");
  if (data.y !== undefined && data.y.length !== data.rows) {
    throw new VigilError("VIGIL_ML_DATASET_INVALID", `dataset has ${data.y.length} targets for ${data.rows} rows`);
  }
}

/** Rows `from` (inclusive) to `to` (exclusive) as a dataset of their own (copies). */
export function sliceRows(data: Dataset, from: number, to: number): Dataset {
  const width = data.features.length;
  return {
    features: data.features,
    rows: to - from,
    x: data.x.slice(from * width, to * width),
    ...(data.y === undefined ? {} : { y: data.y.slice(from, to) }),
  };
}

/**
 * The columns `features` of `data`, in that order, taken by name (a model
 * trained on other data asks for its own columns). VIGIL_MODEL_INCOMPATIBLE
 * when `data` lacks one; `label` names the asker in the message.
 */
export function selectFeatures(data: Dataset, features: readonly string[], label: string): Dataset {
  const index = new Map(data.features.map((f, i) => [f, i]));
  const missing = features.filter((f) => !index.has(f));
  if (missing.length > 0) {
    throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${label} needs features the data does not have: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`);
  }
  const from = features.map((f) => index.get(f) as number);
  const width = data.features.length;
  const x = new Float64Array(data.rows * from.length);
  for (let r = 0; r < data.rows; r++) for (let j = 0; j < from.length; j++) x[r * from.length + j] = data.x[r * width + (from[j] as number)] as number;
  return { features: [...features], rows: data.rows, x, ...(data.y === undefined ? {} : { y: data.y }) };
}

/**
 * A time-ordered split: the first `1 - fraction` of the rows train, the last
 * `fraction` hold out. Rows must already be in time order; a random split
 * would leak the future into training through the rolling features.
 */
export function holdoutSplit(data: Dataset, fraction: number): { train: Dataset; holdout: Dataset } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdout fraction: expected a number in (0, 1), got ${fraction}`);
  const cut = Math.max(1, Math.min(data.rows - 1, Math.round(data.rows * (1 - fraction))));
  return { train: sliceRows(data, 0, cut), holdout: sliceRows(data, cut, data.rows) };
}

/**
 * The values an ONNX model sees: its input is float32, so every model here
 * is defined on float32-rounded features and scores them exactly as the
 * exported graph does.
 */
export function toFloat32(x: Float64Array): Float32Array {
  return Float32Array.from(x);
}
