/**
 * src/store/import — `vigil import`: CSV history files (NSRDB solar, meter,
 * weather, the generic long format, any timestamped wide file) checked row
 * by row, outliers flagged, features engineered, written as processed CSVs
 * and stored as raw readings in the history store.
 *
 * Must not depend on the actor runtime, transports or HTTP: it reads files
 * and writes to a HistoryStore it is handed. The per-file work (process-file)
 * must not touch the store either, because it runs in piscina workers.
 * danfojs is loaded only by processed-csv.ts.
 */
export { runImport } from "./run-import.js";
export type { FileSummary, ImportDeps, ImportProgress, ImportSummary } from "./run-import.js";
export { importOptionsSchema } from "./options.js";
export type { ImportOptions, ImportOptionsInput } from "./options.js";
export { formatSummary } from "./summary.js";
export { IMPORT_FORMATS } from "./formats/index.js";
export type { ImportFormat } from "./formats/index.js";
export { ISSUE_REASONS } from "./issues.js";
export type { IssueReason, RemovedCounts, RowIssue } from "./issues.js";
export { IMPORT_FEATURE_SPEC } from "./features.js";
export { processedFileName } from "./processed-csv.js";
