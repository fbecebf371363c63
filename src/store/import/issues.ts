/**
 * Why a value from a file was not imported, and the per-row report of it.
 * Counts are in readings (one value of one sensor at one instant): a row
 * whose timestamp is unreadable loses all of its readings, a bad cell only
 * its own.
 */

export const ISSUE_REASONS = [
  /** The line is not CSV we can split, or has the wrong number of fields. */
  "malformed_row",
  /** The timestamp (or the NSRDB date columns) cannot be read as a date. */
  "invalid_timestamp",
  /** Before 1970 or more than a day in the future: no real history lies there. */
  "timestamp_out_of_range",
  /** A unit or sensor id that is not [A-Za-z0-9_-]{1,64}. */
  "invalid_id",
  /** A quality that is not GOOD, UNCERTAIN or BAD. */
  "invalid_quality",
  /** An empty cell (or NA, null, -): nothing measured. */
  "missing_value",
  /** NaN or ±Infinity written out. */
  "not_finite",
  /** Text that is not a number. */
  "not_a_number",
  /** Outside the column's physical range (see columns.ts). */
  "out_of_range",
  /** The same unit, sensor and timestamp again in the file: the first one is kept. */
  "duplicate_timestamp",
] as const;
export type IssueReason = (typeof ISSUE_REASONS)[number];

export interface RowIssue {
  /** 1-based line number in the file. */
  readonly line: number;
  /** The column's header, or null for the whole row. */
  readonly column: string | null;
  readonly reason: IssueReason;
  readonly detail: string;
}

export type RemovedCounts = Partial<Record<IssueReason, number>>;

/** Counts every issue, keeps the first `limit` in full (a broken file of a million rows must not hold a million messages). */
export class IssueLog {
  readonly removed: RemovedCounts = {};
  readonly kept: RowIssue[] = [];
  total = 0;

  constructor(private readonly limit: number) {}

  /**
   * Records that `readings` readings were removed for `reason`. Missing values
   * are counted but not listed: an empty cell is a gap in the data, not an
   * error in the file.
   */
  add(issue: RowIssue, readings = 1): void {
    this.removed[issue.reason] = (this.removed[issue.reason] ?? 0) + readings;
    if (issue.reason === "missing_value") return;
    this.total++;
    if (this.kept.length < this.limit) this.kept.push(issue);
  }

  removedTotal(): number {
    return Object.values(this.removed).reduce((a, b) => a + b, 0);
  }
}

export function addCounts(into: RemovedCounts, from: RemovedCounts): void {
  for (const [reason, n] of Object.entries(from) as [IssueReason, number][]) into[reason] = (into[reason] ?? 0) + n;
}
