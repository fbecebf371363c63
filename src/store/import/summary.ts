/** The summary a person reads at the end of `vigil import`. */
import { ISSUE_REASONS } from "./issues.js";
import type { ImportSummary } from "./run-import.js";

export function formatSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const n = (x: number): string => x.toLocaleString("en-US");
  lines.push(`imported ${s.files - s.filesFailed} of ${s.files} file(s) in ${s.seconds.toFixed(1)} s`);
  lines.push(`  rows read          ${n(s.rowsRead)}`);
  lines.push(`  readings read      ${n(s.readingsRead)}`);
  lines.push(`  readings imported  ${n(s.readingsImported)}`);
  const removed = ISSUE_REASONS.filter((r) => (s.removed[r] ?? 0) > 0);
  if (removed.length === 0) lines.push("  readings removed   0");
  else {
    lines.push(`  readings removed   ${n(removed.reduce((sum, r) => sum + (s.removed[r] ?? 0), 0))}`);
    for (const r of removed) lines.push(`    ${r.padEnd(22)} ${n(s.removed[r] ?? 0)}`);
  }
  const labels = s.perFile.reduce((sum, f) => sum + (f.labelsImported ?? 0), 0);
  if (labels > 0) lines.push(`  labels imported    ${n(labels)}`);
  if (s.outliersFlagged > 0) lines.push(`  outliers flagged   ${n(s.outliersFlagged)} (imported as UNCERTAIN)`);
  for (const f of s.perFile) {
    if (!f.ok) lines.push(`  FAILED ${f.file}: ${f.error ?? "unknown error"}`);
    else if (f.processedCsv !== undefined) lines.push(`  ${f.file} → ${f.processedCsv}${f.errorsCsv === undefined ? "" : ` (row errors: ${f.errorsCsv})`}`);
  }
  return `${lines.join("\n")}\n`;
}
