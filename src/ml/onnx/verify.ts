/**
 * The export check every training run ends with: load the ONNX bytes in
 * onnxruntime, score held-out rows with it and with the TypeScript model,
 * and refuse the model (VIGIL_ML_EXPORT_MISMATCH) if any output differs by
 * more than float32 arithmetic explains.
 */
import * as ort from "onnxruntime-node";
import { VigilError } from "../../runtime/index.js";
import { toFloat32 } from "../dataset.js";
import { argmaxRows, outputName, outputWidth, predict, type Model } from "../model.js";
import { ONNX_INPUT } from "./export.js";

export interface ExportTolerance {
  /** Allowed |onnx − ts| is abs + rel·|ts|. */
  readonly abs: number;
  readonly rel: number;
}

/**
 * Float32 inputs route identically through both (thresholds are float32);
 * what remains is float32 summation and transcendental functions, well
 * inside 1e-4 on the outputs' own scale.
 */
export const DEFAULT_EXPORT_TOLERANCE: ExportTolerance = { abs: 1e-4, rel: 1e-4 };

/** Whether onnxruntime's `actual` agrees with the TypeScript model's `want` within `tolerance`. */
export function withinTolerance(actual: number, want: number, tolerance: ExportTolerance = DEFAULT_EXPORT_TOLERANCE): boolean {
  return Math.abs(actual - want) <= tolerance.abs + tolerance.rel * Math.abs(want);
}

export interface ExportCheck {
  readonly rows: number;
  /** Largest |onnx − ts| over every output value compared. */
  readonly maxAbsError: number;
}

/**
 * Loads ONNX bytes in onnxruntime (CPU). `threads` caps the session's
 * intra-op threads: a shard worker's scoring session takes one, so workers
 * do not compete for the cores they already fill.
 */
export async function loadSession(bytes: Uint8Array, threads?: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ["cpu"],
    graphOptimizationLevel: "all",
    ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 }),
  });
}

/**
 * Scores `rows` rows of `x` with the ONNX bytes and the model; throws
 * VIGIL_ML_EXPORT_MISMATCH when they disagree beyond the tolerance (or on a
 * predicted class where the model is not at a near-tie), VIGIL_ML_EXPORT_FAILED
 * when onnxruntime cannot load or run the bytes.
 */
export async function verifyExport(model: Model, bytes: Uint8Array, x: Float64Array, rows: number, tolerance = DEFAULT_EXPORT_TOLERANCE): Promise<ExportCheck> {
  const d = model.features.length;
  if (rows < 1 || x.length !== rows * d) throw new VigilError("VIGIL_ML_EXPORT_FAILED", `export check needs held-out rows × ${d} features, got ${x.length} values for ${rows} rows`);
  const input = toFloat32(x);
  const expected = predict(model, input, rows);
  let session: ort.InferenceSession;
  let result: ort.InferenceSession.OnnxValueMapType;
  try {
    session = await loadSession(bytes);
    result = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", input, [rows, d]) });
  } catch (err) {
    throw new VigilError("VIGIL_ML_EXPORT_FAILED", `onnxruntime could not load or run the exported ${model.algorithm} model: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const name = outputName(model);
    const actual = result[name]?.data as Float32Array | undefined;
    const width = outputWidth(model);
    if (actual === undefined || actual.length !== rows * width) {
      throw new VigilError("VIGIL_ML_EXPORT_MISMATCH", `exported ${model.algorithm} model: output "${name}" has ${actual?.length ?? 0} values, expected ${rows * width}`);
    }
    let maxAbsError = 0;
    for (let i = 0; i < actual.length; i++) {
      const want = expected[i] as number;
      const err = Math.abs((actual[i] as number) - want);
      if (!withinTolerance(actual[i] as number, want, tolerance)) {
        throw new VigilError(
          "VIGIL_ML_EXPORT_MISMATCH",
          `exported ${model.algorithm} ${model.task} model disagrees with the trained one at row ${Math.floor(i / width)}, output ${i % width}: onnx ${actual[i]}, typescript ${want}`,
        );
      }
      maxAbsError = Math.max(maxAbsError, err);
    }
    if (width > 1) checkLabels(model, expected, result["label"]?.data as BigInt64Array | undefined, rows, width, tolerance);
    return { rows, maxAbsError };
  } finally {
    await session.release();
  }
}

function checkLabels(model: Model, expected: Float64Array, labels: BigInt64Array | undefined, rows: number, width: number, tolerance: ExportTolerance): void {
  if (labels === undefined || labels.length !== rows) throw new VigilError("VIGIL_ML_EXPORT_MISMATCH", `exported ${model.algorithm} model has no label for each row`);
  const want = argmaxRows(expected, width);
  for (let r = 0; r < rows; r++) {
    if (Number(labels[r]) === want[r]) continue;
    // A near-tie may go either way in float32; anything else is a real disagreement.
    const a = expected[r * width + Number(labels[r])] as number;
    const b = expected[r * width + (want[r] as number)] as number;
    if (Math.abs(a - b) > 2 * (tolerance.abs + tolerance.rel * Math.abs(b))) {
      throw new VigilError("VIGIL_ML_EXPORT_MISMATCH", `exported ${model.algorithm} model predicts class ${labels[r]} at row ${r}, the trained one ${want[r]}`);
    }
  }
}
