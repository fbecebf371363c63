/**
 * The piscina task module: a training run inside a worker thread, so a long
 * fit never blocks a node's event loop. Errors come back as data (code and
 * message) because structured cloning drops a VigilError's code.
 */
import { serializeError, type SerializedError } from "../../runtime/index.js";
import { runTrainingJob, type TrainingJob, type TrainingResult } from "./job.js";

export type WorkerReply = { readonly ok: true; readonly result: TrainingResult } | { readonly ok: false; readonly error: SerializedError };

export default async function trainInWorker(job: TrainingJob): Promise<WorkerReply> {
  try {
    return { ok: true, result: await runTrainingJob(job) };
  } catch (err) {
    return { ok: false, error: serializeError(err) };
  }
}
