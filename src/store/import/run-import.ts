/**
 * One `vigil import` run: files go through processFile (in this thread or a
 * piscina pool), each processed file's readings go to the history store one
 * file at a time (one writer, so the embedded store never sees two
 * transactions at once), and the run ends with a summary. A file that cannot
 * be read, understood or stored fails alone; the others still import.
 */
import { mkdir } from "node:fs/promises";
import type { Logger } from "../../runtime/log.js";
import type { HistoryStore } from "../history-store.js";
import { addCounts, type RemovedCounts } from "./issues.js";
import type { ImportOptions } from "./options.js";
import { createFileRunner } from "./pool.js";
import type { FileOutcome, FileProcessed, ImportTask } from "./process-file.js";
import { fileStamp } from "./processed-csv.js";
import { storeReadings, unitRows } from "./store-readings.js";
import { importLabels, isLabelsFile } from "./labels.js";

/** Row issues logged per file; the rest are counted (and in the errors CSV with --output-dir). */
const LOGGED_ISSUES_PER_FILE = 20;

export interface ImportProgress {
  start(files: number): void;
  /** A file is finished (imported or failed). */
  fileDone(file: string): void;
  /** Readings stored so far went up by `rows`. */
  stored(rows: number): void;
  stop(): void;
}

export interface FileSummary {
  file: string;
  ok: boolean;
  format?: string;
  rowsRead: number;
  readingsRead: number;
  readingsImported: number;
  removed: RemovedCounts;
  outliersFlagged: number;
  processedCsv?: string;
  errorsCsv?: string;
  error?: string;
  /** A label file (format "labels"): label rows stored. */
  labelsImported?: number;
}

export interface ImportSummary {
  files: number;
  filesFailed: number;
  rowsRead: number;
  readingsRead: number;
  /** Readings that passed the checks and reached the store (or would have, without a store). */
  readingsImported: number;
  removed: RemovedCounts;
  outliersFlagged: number;
  seconds: number;
  perFile: FileSummary[];
}

export interface ImportDeps {
  /** Undefined: process and write CSVs only (--no-store). */
  store: HistoryStore | undefined;
  log: Logger;
  progress?: ImportProgress;
  now?: () => number;
  /** The store's retention in days (0: none), to warn when imported history is older than what a node keeps. */
  retentionDays?: number;
}

export async function runImport(options: ImportOptions, deps: ImportDeps): Promise<ImportSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const stamp = fileStamp(started);
  if (options.outputDir !== undefined) await mkdir(options.outputDir, { recursive: true });
  const runner = createFileRunner(Math.min(options.workers, options.files.length));
  const results: FileSummary[] = new Array<FileSummary>(options.files.length);
  const queue = options.files.map((file, index) => ({ file, index }));
  let storeTurn: Promise<void> = Promise.resolve();
  deps.progress?.start(options.files.length);

  const finish = async (index: number, outcome: FileOutcome): Promise<void> => {
    if (!outcome.ok) {
      deps.log.error({ file: outcome.file, code: outcome.code, err: outcome.message }, "file not imported");
      results[index] = failedSummary(outcome.file, outcome.message);
      return;
    }
    logIssues(deps.log, outcome);
    warnIfBeyondRetention(deps, outcome, started);
    if (options.unit !== undefined && outcome.format === "long") deps.log.warn({ file: outcome.file }, "--unit does not apply to a long-format file: its units come from its unit column");
    let error: string | undefined;
    if (deps.store !== undefined) {
      const store = deps.store;
      // One file at a time into the store, in the order files finish processing.
      const turn = storeTurn.then(async () => {
        const units = unitRows(outcome, options.capacityKw, started);
        if (units.length > 0) await store.upsertUnits(units);
        await storeReadings(store, outcome, started, (rows) => deps.progress?.stored(rows));
      });
      storeTurn = turn.catch(() => undefined);
      try {
        await turn;
      } catch (err) {
        error = `store: ${err instanceof Error ? err.message : String(err)} (importing the file again is safe: stored readings replace themselves)`;
        deps.log.error({ file: outcome.file, err }, "file not stored");
      }
    } else {
      deps.progress?.stored(outcome.readingsKept);
    }
    results[index] = fileSummary(outcome, error);
    if (error === undefined) {
      deps.log.info(
        { file: outcome.file, format: outcome.format, rowsRead: outcome.rowsRead, readingsImported: outcome.readingsKept, removed: outcome.removed, outliersFlagged: outcome.outliersFlagged, processedCsv: outcome.processedCsv },
        "file imported",
      );
    }
  };

  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (options.format === "auto" && (await isLabelsFile(next.file))) {
        const file = next.file;
        const turn = storeTurn.then(() => labelsSummary(file, deps));
        storeTurn = turn.then(() => undefined);
        results[next.index] = await turn;
        deps.progress?.fileDone(next.file);
        continue;
      }
      const task: ImportTask = {
        file: next.file,
        format: options.format,
        unit: options.unit,
        validate: options.validate,
        capacityKw: options.capacityKw,
        outputDir: options.outputDir,
        stamp,
        now: started,
        maxIssues: options.maxIssues,
      };
      const outcome = await runner.run(task).catch((err: unknown): FileOutcome => ({ ok: false, file: next.file, code: undefined, message: `worker failed: ${err instanceof Error ? err.message : String(err)}` }));
      await finish(next.index, outcome);
      deps.progress?.fileDone(next.file);
    }
  };

  try {
    await Promise.all(Array.from({ length: runner.threads }, lane));
  } finally {
    deps.progress?.stop();
    await runner.close();
  }
  return summarise(results, (now() - started) / 1000);
}

/** A label file: its rows into the store (never throws: a failure is the file's summary), not through the reading pipeline. */
async function labelsSummary(file: string, deps: ImportDeps): Promise<FileSummary> {
  try {
    const read = await importLabels(file, deps.store);
    deps.log.info({ file, format: "labels", rowsRead: read.rowsRead, labelsImported: read.rows.length, removed: read.removed }, "file imported");
    return { file, ok: true, format: "labels", rowsRead: read.rowsRead, readingsRead: 0, readingsImported: 0, removed: read.removed, outliersFlagged: 0, labelsImported: read.rows.length };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    deps.log.error({ file, err: error }, "file not imported");
    return failedSummary(file, error);
  }
}

/** Retention deletes time series by their own timestamps, so years-old history would be gone at a node's next start. */
function warnIfBeyondRetention(deps: ImportDeps, file: FileProcessed, now: number): void {
  const days = deps.retentionDays ?? 0;
  if (deps.store === undefined || days <= 0) return;
  const cutoff = now - days * 86_400_000;
  let older = 0;
  for (const s of file.series) for (const ts of s.ts) if (ts < cutoff) older++;
  if (older === 0) return;
  deps.log.warn(
    { file: file.file, readings: older, retentionDays: days, store: deps.store.kind },
    `${older} readings are older than the store's retention (${days} days): a node's retention will delete them; set history.${deps.store.kind}.retentionDays to 0 to keep imported history`,
  );
}

function logIssues(log: Logger, file: FileProcessed): void {
  for (const issue of file.issues.slice(0, LOGGED_ISSUES_PER_FILE)) log.warn({ file: file.file, ...issue }, "row rejected");
  const more = file.issuesTotal - Math.min(file.issues.length, LOGGED_ISSUES_PER_FILE);
  if (more > 0) log.warn({ file: file.file, more, errorsCsv: file.errorsCsv }, "more rows rejected");
}

function fileSummary(f: FileProcessed, error: string | undefined): FileSummary {
  return {
    file: f.file,
    ok: error === undefined,
    format: f.format,
    rowsRead: f.rowsRead,
    readingsRead: f.readingsRead,
    readingsImported: error === undefined ? f.readingsKept : 0,
    removed: f.removed,
    outliersFlagged: f.outliersFlagged,
    ...(f.processedCsv === undefined ? {} : { processedCsv: f.processedCsv }),
    ...(f.errorsCsv === undefined ? {} : { errorsCsv: f.errorsCsv }),
    ...(error === undefined ? {} : { error }),
  };
}

function failedSummary(file: string, error: string): FileSummary {
  return { file, ok: false, rowsRead: 0, readingsRead: 0, readingsImported: 0, removed: {}, outliersFlagged: 0, error };
}

function summarise(perFile: FileSummary[], seconds: number): ImportSummary {
  const removed: RemovedCounts = {};
  for (const f of perFile) addCounts(removed, f.removed);
  const sum = (k: "rowsRead" | "readingsRead" | "readingsImported" | "outliersFlagged"): number => perFile.reduce((n, f) => n + f[k], 0);
  return {
    files: perFile.length,
    filesFailed: perFile.filter((f) => !f.ok).length,
    rowsRead: sum("rowsRead"),
    readingsRead: sum("readingsRead"),
    readingsImported: sum("readingsImported"),
    removed,
    outliersFlagged: sum("outliersFlagged"),
    seconds,
    perFile,
  };
}
