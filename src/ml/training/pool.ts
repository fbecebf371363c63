/**
 * Training off the caller's thread: a small piscina pool whose workers run
 * `runTrainingJob`. Bounded: at most `maxQueue` jobs wait; beyond that
 * `run` rejects at once (piscina's queue-full error) rather than queueing
 * without limit.
 *
 * @example
 * const pool = new TrainingPool({ threads: 1 });
 * const result = await pool.run({ algorithm: "random_forest", task: "binary", data, holdout, seed: 1 });
 * await pool.close();
 */
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { deserializeError } from "../../runtime/index.js";
import type { TrainingJob, TrainingResult } from "./job.js";
import type { WorkerReply } from "./worker.js";

export interface TrainingPoolOptions {
  /** Worker threads. @default 1 (training is one core's work; the node keeps the rest) */
  readonly threads?: number;
  /** Jobs allowed to wait for a thread. @default 16 */
  readonly maxQueue?: number;
}

export class TrainingPool {
  private readonly piscina: Piscina<TrainingJob, WorkerReply>;

  constructor(options: TrainingPoolOptions = {}) {
    const threads = options.threads ?? 1;
    this.piscina = new Piscina({ filename: workerFile(), minThreads: 0, maxThreads: threads, maxQueue: options.maxQueue ?? 16, idleTimeout: 30_000 });
  }

  /** Trains, exports and checks in a worker; rejects with the worker's VigilError (code intact). */
  async run(job: TrainingJob): Promise<TrainingResult> {
    const reply = await this.piscina.run(job);
    if (!reply.ok) throw deserializeError(reply.error);
    return reply.result;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

function workerFile(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  return fileURLToPath(new URL(fromSource ? "./worker-boot.mjs" : "./worker.js", import.meta.url));
}
