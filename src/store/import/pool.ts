/**
 * Runs files through processFile: in this thread with one worker (no thread
 * start-up, and the usual case of one file), or in a piscina pool of N
 * threads so N files are parsed and featured at once. The pool's queue is
 * bounded by the caller, which submits at most N + 1 files ahead of the store.
 */
import { Piscina } from "piscina";
import { processFile, type FileOutcome, type ImportTask } from "./process-file.js";

export interface FileRunner {
  readonly threads: number;
  run(task: ImportTask): Promise<FileOutcome>;
  close(): Promise<void>;
}

export function createFileRunner(workers: number): FileRunner {
  if (workers <= 1) return { threads: 1, run: processFile, close: () => Promise.resolve() };
  const pool = new Piscina<ImportTask, FileOutcome>({
    filename: workerEntry(),
    minThreads: workers,
    maxThreads: workers,
    // Threads live as long as the import; a pause between files must not cost a new thread (and a new danfojs load).
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  return {
    threads: workers,
    run: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}

function workerEntry(): string {
  // From sources (tsx, vitest) a plain-JS bootstrap registers the TypeScript loader in the worker first.
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./worker-entry.mjs" : "./worker.js", import.meta.url).href;
}
