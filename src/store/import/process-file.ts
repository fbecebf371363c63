/**
 * Everything import does to one file that needs no database: read it,
 * recognise its format, check every value, flag outliers, engineer features
 * and write the processed CSV. CPU-bound and self-contained, so it runs the
 * same in the main thread or in a piscina worker (worker.ts); it returns the
 * readings as columns for the main thread to store.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { isVigilError } from "../../runtime/errors.js";
import { physicalRange } from "./columns.js";
import { fileLines } from "./csv-line.js";
import { featureTables } from "./features.js";
import { detectFormat, PARSERS, type FormatChoice, type ImportFormat, type SiteInfo } from "./formats/index.js";
import { fileInvalid } from "./formats/header.js";
import { IssueLog, type RemovedCounts, type RowIssue } from "./issues.js";
import { flagOutliers } from "./outliers.js";
import { processedFileName, writeProcessedCsv } from "./processed-csv.js";
import { SeriesCollector } from "./series.js";

export interface ImportTask {
  readonly file: string;
  readonly format: FormatChoice;
  /** --unit, for wide formats. */
  readonly unit: string | undefined;
  readonly validate: boolean;
  readonly capacityKw: number | undefined;
  /** Where the processed CSV goes; none (and no features computed) when undefined. */
  readonly outputDir: string | undefined;
  /** The run's timestamp in output names (processed-csv.ts fileStamp). */
  readonly stamp: string;
  /** Epoch ms of the run: receivedAt of the readings, and the future limit. */
  readonly now: number;
  /** Row issues kept in full (all are counted). */
  readonly maxIssues: number;
}

/** One sensor's readings, ready for the store. */
export interface SeriesReadings {
  readonly unit: string;
  readonly sensor: string;
  readonly ts: Float64Array;
  readonly value: Float64Array;
  /** Index into QUALITIES. */
  readonly quality: Uint8Array;
}

export interface FileProcessed {
  readonly ok: true;
  readonly file: string;
  readonly format: ImportFormat;
  readonly site: SiteInfo;
  readonly rowsRead: number;
  readonly readingsRead: number;
  /** Readings that passed every check (what goes to the store). */
  readonly readingsKept: number;
  readonly removed: RemovedCounts;
  readonly outliersFlagged: number;
  /** The first `maxIssues` issues. */
  readonly issues: RowIssue[];
  readonly issuesTotal: number;
  readonly series: SeriesReadings[];
  readonly processedCsv: string | undefined;
  readonly errorsCsv: string | undefined;
}

export interface FileFailed {
  readonly ok: false;
  readonly file: string;
  readonly code: string | undefined;
  readonly message: string;
}

export type FileOutcome = FileProcessed | FileFailed;

/** Never throws: a file that cannot be read or understood comes back as FileFailed. */
export async function processFile(task: ImportTask): Promise<FileOutcome> {
  try {
    return await processOrThrow(task);
  } catch (err) {
    const code = isVigilError(err) ? err.code : (err as NodeJS.ErrnoException).code;
    return { ok: false, file: task.file, code, message: err instanceof Error ? err.message : String(err) };
  }
}

async function processOrThrow(task: ImportTask): Promise<FileProcessed> {
  const lines = fileLines(await readFile(task.file, "utf8"));
  const format = task.format === "auto" ? detectFormat(lines) : task.format;
  if (format === undefined) {
    throw fileInvalid("format not recognised: no NSRDB metadata rows and no timestamp column in the header on line 1 (pass --format)");
  }
  const fileStem = path.basename(task.file).replace(/\.csv$/i, "");
  const issues = new IssueLog(task.maxIssues);
  const collector = new SeriesCollector(issues, task.validate ? (sensor) => physicalRange(format, sensor) : undefined);
  const parsed = PARSERS[format].parse({ lines, fileStem, unit: format === "long" ? undefined : task.unit, now: task.now, collector, issues });
  const series = collector.series();
  // Duplicates are found after the rest (when series are sorted): report in file order.
  issues.kept.sort((a, b) => a.line - b.line);
  const outliersFlagged = task.validate ? flagOutliers(series) : 0;
  let processedCsv: string | undefined;
  let errorsCsv: string | undefined;
  if (task.outputDir !== undefined) {
    const tables = featureTables(series, { site: parsed.site, capacityKw: task.capacityKw, outlierColumns: task.validate });
    processedCsv = path.join(task.outputDir, processedFileName(format, task.stamp, fileStem));
    await writeProcessedCsv(processedCsv, tables);
    if (issues.kept.length > 0) {
      errorsCsv = path.join(task.outputDir, `${format}_errors_${task.stamp}_${fileStem}.csv`);
      await writeFile(errorsCsv, issuesCsv(task.file, issues.kept));
    }
  }
  return {
    ok: true,
    file: task.file,
    format,
    site: parsed.site,
    rowsRead: parsed.rowsRead,
    readingsRead: collector.readingsRead,
    readingsKept: series.reduce((n, s) => n + s.ts.length, 0),
    removed: issues.removed,
    outliersFlagged,
    issues: issues.kept,
    issuesTotal: issues.total,
    series: series.map(({ unit, sensor, ts, value, quality }) => ({ unit, sensor, ts, value, quality })),
    processedCsv,
    errorsCsv,
  };
}

function issuesCsv(file: string, issues: readonly RowIssue[]): string {
  const rows = issues.map((i) => [file, String(i.line), i.column ?? "", i.reason, i.detail].map(quote).join(","));
  return `file,line,column,reason,detail\n${rows.join("\n")}\n`;
}

function quote(field: string): string {
  return /[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}
