/**
 * Whether ONNX bytes can be trusted as a given version: the hash it was
 * registered with, onnxruntime can load it, and its `features` input is as
 * wide as the version's feature list. Every backend runs these on register
 * and on load, so a damaged or mismatched file never reaches a scorer.
 */
import { createHash } from "node:crypto";
import onnxProto from "onnx-proto";
import { VigilError } from "../../runtime/index.js";
import { ONNX_INPUT } from "../onnx/export.js";
import { loadSession } from "../onnx/verify.js";

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Throws VIGIL_MODEL_CORRUPT or VIGIL_MODEL_INCOMPATIBLE; `label` names the version in the message. */
export async function checkModelBytes(label: string, bytes: Uint8Array, features: readonly string[], expectedSha256?: string): Promise<void> {
  if (expectedSha256 !== undefined) {
    const actual = sha256(bytes);
    if (actual !== expectedSha256) throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: ONNX file hash ${actual} does not match the registered ${expectedSha256}`);
  }
  let width: number | undefined;
  try {
    const graph = onnxProto.onnx.ModelProto.decode(bytes).graph;
    const input = graph?.input?.find((i) => i.name === ONNX_INPUT);
    const dims = input?.type?.tensorType?.shape?.dim ?? [];
    const last = dims[dims.length - 1];
    width = last?.dimValue === undefined || last.dimValue === null ? undefined : Number(last.dimValue);
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: not a readable ONNX model`, { cause: err });
  }
  if (width !== features.length) {
    throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${label}: ONNX input "${ONNX_INPUT}" is ${width ?? "of unknown width"} wide, the feature list has ${features.length}`);
  }
  try {
    const session = await loadSession(bytes);
    await session.release();
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: onnxruntime cannot load the model: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
