/**
 * Scoring a dataset with ONNX bytes in onnxruntime, taking the columns the
 * model asks for by name: how a trainer measures a registered version (the
 * one in Production) on the same holdout as a new candidate, whatever order
 * or extra columns the new dataset has.
 */
import * as ort from "onnxruntime-node";
import { VigilError } from "../../runtime/index.js";
import { selectFeatures, toFloat32, type Dataset } from "../dataset.js";
import type { Task } from "../model.js";
import { ONNX_INPUT } from "./export.js";
import { loadSession } from "./verify.js";

/** The output a model of each task is read from (as outputName in model.ts). */
const OUTPUT: Readonly<Record<Task, string>> = { anomaly: "score", regression: "prediction", binary: "probabilities", multiclass: "probabilities" };

/**
 * rows × width outputs of the model on `data`. VIGIL_MODEL_INCOMPATIBLE when
 * `data` lacks a feature the model needs; VIGIL_MODEL_CORRUPT when
 * onnxruntime cannot run it.
 */
export async function scoreOnnx(onnx: Uint8Array, model: { readonly features: readonly string[]; readonly task: Task; readonly label: string }, data: Dataset): Promise<Float32Array> {
  const x = toFloat32(selectFeatures(data, model.features, model.label).x);
  let session: ort.InferenceSession | undefined;
  try {
    session = await loadSession(onnx);
    const result = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x, [data.rows, model.features.length]) });
    const out = result[OUTPUT[model.task]]?.data;
    if (!(out instanceof Float32Array)) throw new Error(`no float output "${OUTPUT[model.task]}"`);
    return out;
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `${model.label}: onnxruntime could not score the holdout: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    await session?.release();
  }
}
