/**
 * One training run from start to finish, as a trainer (or its piscina
 * worker) runs it: train, export to ONNX, check the export against the
 * trained model on the holdout (a mismatch fails the run), and score the
 * holdout. Everything the registry needs comes back with it.
 */
import { createHash } from "node:crypto";
import { checkDataset, type Dataset } from "../dataset.js";
import { evaluate } from "../metrics/evaluate.js";
import type { Model } from "../model.js";
import { exportOnnx } from "../onnx/export.js";
import { verifyExport, type ExportCheck, type ExportTolerance } from "../onnx/verify.js";
import { train, type TrainSpec } from "../train.js";

export interface TrainingJob extends TrainSpec {
  /** Rows after the training window (time-ordered), for the export check and the metrics. */
  readonly holdout: Dataset;
  readonly tolerance?: ExportTolerance;
}

export interface TrainingResult {
  readonly model: Model;
  readonly onnx: Uint8Array;
  readonly metrics: Record<string, number>;
  readonly exportCheck: ExportCheck;
  /** sha256 (hex) of the training data: feature names, matrix and targets. */
  readonly dataHash: string;
  readonly trainSeconds: number;
}

export async function runTrainingJob(job: TrainingJob): Promise<TrainingResult> {
  checkDataset(job.holdout, false);
  const started = performance.now();
  const model = train(job);
  const trainSeconds = (performance.now() - started) / 1000;
  const onnx = exportOnnx(model);
  const exportCheck = await verifyExport(model, onnx, job.holdout.x, job.holdout.rows, job.tolerance);
  return { model, onnx, metrics: evaluate(model, job.holdout), exportCheck, dataHash: datasetHash(job.data), trainSeconds };
}

/** sha256 over the feature names, the matrix and the targets: the same rows give the same hash on every machine. */
export function datasetHash(data: Dataset): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(data.features));
  hash.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  if (data.y !== undefined) hash.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return hash.digest("hex");
}
