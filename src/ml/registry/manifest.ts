/**
 * What every backend agrees on about names and manifests: which model names
 * are allowed (they become directory names, key-value keys and subject
 * tokens), that every change says who and why, and the one zod schema a
 * stored manifest is read back through.
 */
import { z } from "zod";
import { VigilError } from "../../runtime/index.js";
import { ALGORITHMS, TASKS } from "../model.js";
import { sha256 } from "./check.js";
import { STAGES, type ChangeBy, type FeatureDistribution, type ModelVersion, type NewModelVersion, type Stage } from "./types.js";

/**
 * Dot-separated tokens of letters, digits, '_' and '-' (e.g. `anomaly.temperature`),
 * at most 64 characters: safe as a directory name, a key-value key and NATS subject tokens.
 */
export const MODEL_NAME = /^(?=.{1,64}$)[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export function checkName(model: string): void {
  if (!MODEL_NAME.test(model)) {
    throw new VigilError("VIGIL_MODEL_NOT_FOUND", `model name "${model}": expected dot-separated words of letters, digits, '_' or '-' (at most 64 characters)`);
  }
}

export function checkBy(by: ChangeBy): void {
  if (by.who.trim() === "" || by.why.trim() === "") throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", "every registry change needs who and why");
}

const numbers = z.record(z.string(), z.number());
export const manifestSchema = z.strictObject({
  model: z.string().regex(MODEL_NAME),
  version: z.number().int().min(1),
  stage: z.enum(STAGES),
  createdAt: z.number(),
  algorithm: z.enum(ALGORITHMS),
  task: z.enum(TASKS),
  features: z.array(z.string()).min(1),
  params: numbers,
  // JSON has no NaN: a metric that was NaN (e.g. AUC with one class) is stored as null.
  metrics: z.record(z.string(), z.number().nullable()).transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? Number.NaN]))),
  trainingWindow: z.strictObject({ from: z.number(), to: z.number() }),
  dataHash: z.string().regex(/^[0-9a-f]{64}$/),
  seed: z.number().int(),
  distribution: z.strictObject({ edges: z.array(z.array(z.number())), shares: z.array(z.array(z.number())) }).optional(),
  onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
  onnxSize: z.number().int().min(0),
});

/**
 * Reads a stored manifest (JSON text) as the given version; VIGIL_MODEL_CORRUPT
 * when it is not one. `stage` is for a backend that keeps stages apart from
 * manifests: the stored one then has none and is given this one.
 */
export function parseManifest(model: string, version: number, text: string, stage?: Stage): ModelVersion {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest is not JSON`, { cause: err });
  }
  if (stage !== undefined && typeof parsed === "object" && parsed !== null && !("stage" in parsed)) parsed = { ...parsed, stage };
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest is invalid: ${z.prettifyError(result.error)}`);
  if (result.data.model !== model || result.data.version !== version) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest says ${result.data.model} v${result.data.version}`);
  }
  const problem = distributionProblem(result.data.features, result.data.distribution);
  if (problem !== undefined) throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest is invalid: distribution: ${problem}`);
  return result.data;
}

/** Why a version's distribution does not fit its features (one entry per feature, one more share than edges), or undefined when it does. */
function distributionProblem(features: readonly string[], d: FeatureDistribution | undefined): string | undefined {
  if (d === undefined) return undefined;
  if (d.edges.length !== features.length || d.shares.length !== features.length) return `expected ${features.length} features' edges and shares, got ${d.edges.length} and ${d.shares.length}`;
  const bad = d.edges.findIndex((e, f) => (d.shares[f] as readonly number[]).length !== e.length + 1);
  return bad < 0 ? undefined : `feature "${features[bad]}": expected one more share than edges`;
}

/** "v000042": how a version is spelled in directory names and keys, so they sort by number. */
export function versionLabel(version: number): string {
  return `v${String(version).padStart(6, "0")}`;
}

/** VIGIL_MODEL_INCOMPATIBLE when a new version's distribution does not fit its features. */
export function checkDistribution(v: NewModelVersion): void {
  const problem = distributionProblem(v.features, v.distribution);
  if (problem !== undefined) throw new VigilError("VIGIL_MODEL_INCOMPATIBLE", `${v.model} (new version): distribution: ${problem}`);
}

/** A new version's manifest, in stage None; copies every list and map, so the caller's cannot change it. */
export function newManifest(v: NewModelVersion, version: number, createdAt: number): ModelVersion {
  return {
    model: v.model,
    version,
    stage: "None",
    createdAt,
    algorithm: v.algorithm,
    task: v.task,
    features: [...v.features],
    params: { ...v.params },
    metrics: { ...v.metrics },
    trainingWindow: { ...v.trainingWindow },
    dataHash: v.dataHash,
    seed: v.seed,
    ...(v.distribution === undefined ? {} : { distribution: { edges: v.distribution.edges.map((e) => [...e]), shares: v.distribution.shares.map((s) => [...s]) } }),
    onnxSha256: sha256(v.onnx),
    onnxSize: v.onnx.length,
  };
}

/** Whether a stored version holds the same content as a new one whose ONNX bytes hash to `onnxSha256`. */
export function sameContent(stored: ModelVersion, v: NewModelVersion, onnxSha256: string): boolean {
  return stored.onnxSha256 === onnxSha256 && stored.dataHash === v.dataHash;
}
