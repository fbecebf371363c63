/**
 * Time-of-day and day-of-week as points on a circle (sine and cosine), so
 * 23:59 sits next to 00:00 and Sunday next to Monday. UTC, so a model does
 * not change meaning with a node's time zone.
 */

export const TIME_FEATURES = ["hour_sin", "hour_cos", "weekday_sin", "weekday_cos"] as const;

const DAY_MS = 24 * 60 * 60 * 1000; // 1 day
const WEEK_MS = 7 * DAY_MS;
/** 1970-01-01 was a Thursday: shift so the week's phase starts on Monday 00:00 UTC. */
const MONDAY_OFFSET_MS = 3 * DAY_MS;

/** Writes the four time features of epoch-ms `ts` into out[at..at+4). */
export function writeTimeFeatures(ts: number, out: Float64Array, at: number): void {
  const day = (2 * Math.PI * (((ts % DAY_MS) + DAY_MS) % DAY_MS)) / DAY_MS;
  const week = (2 * Math.PI * ((((ts + MONDAY_OFFSET_MS) % WEEK_MS) + WEEK_MS) % WEEK_MS)) / WEEK_MS;
  out[at] = Math.sin(day);
  out[at + 1] = Math.cos(day);
  out[at + 2] = Math.sin(week);
  out[at + 3] = Math.cos(week);
}
