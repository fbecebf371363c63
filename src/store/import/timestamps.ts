/**
 * Timestamps as they appear in the CSV files users have: ISO 8601 with or
 * without a zone, "YYYY-MM-DD HH:MM[:SS[.fff]]" (taken as UTC: Date.parse
 * would read it in the importing machine's zone, so the same file would land
 * at different instants on different machines), and epoch seconds or
 * milliseconds as plain numbers (below 1e11 read as seconds, like ingest).
 */

const EPOCH_SECONDS_BELOW = 1e11; // 1e11 ms is 1973; 1e11 s is the year 5138
const NUMBER = /^-?\d+(\.\d+)?$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds (whole), or undefined when the text is not a timestamp. */
export function parseTimestamp(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  if (NUMBER.test(t)) {
    const n = Number(t);
    return Math.round(Math.abs(n) < EPOCH_SECONDS_BELOW ? n * 1000 : n);
  }
  const local = LOCAL_DATE_TIME.exec(t);
  if (local !== null) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0"] = local;
    return utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Math.round(Number(`0.${frac}`) * 1000));
  }
  if (!WITH_ZONE.test(t)) return undefined;
  const ms = Date.parse(t.replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch milliseconds of a UTC calendar time; undefined when a field is out of its calendar range (2023-02-30, 24:00). */
export function utc(year: number, month: number, day: number, hour: number, minute: number, second = 0, ms = 0): number | undefined {
  if (![year, month, day, hour, minute, second, ms].every(Number.isInteger)) return undefined;
  if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 30 February over into March; a calendar typo should be an error instead.
  if (new Date(t).getUTCDate() !== day) return undefined;
  return t;
}
