/** What a format parser gets and gives back. */
import type { IssueLog } from "../issues.js";
import type { SeriesCollector } from "../series.js";

export const IMPORT_FORMATS = ["nsrdb", "meter", "weather", "wide", "long"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type FormatChoice = ImportFormat | "auto";

export interface ParseContext {
  readonly lines: readonly string[];
  /** File name without directory and .csv, for the unit id when nothing else gives one. */
  readonly fileStem: string;
  /** --unit: the unit of every row of a wide file. */
  readonly unit: string | undefined;
  /** Epoch ms of the import; timestamps more than a day after it are refused. */
  readonly now: number;
  readonly collector: SeriesCollector;
  readonly issues: IssueLog;
}

/** What a file says about its site, for solar features. */
export interface SiteInfo {
  latitude?: number;
  longitude?: number;
  /** Hours to add to UTC for the site's local standard time (time-of-day features); 0 when unknown. */
  utcOffsetHours: number;
  elevationM?: number;
}

export interface ParsedFile {
  readonly format: ImportFormat;
  /** Data lines read (without header and metadata lines). */
  readonly rowsRead: number;
  readonly site: SiteInfo;
}

export interface FormatParser {
  readonly format: ImportFormat;
  parse(ctx: ParseContext): ParsedFile;
}
