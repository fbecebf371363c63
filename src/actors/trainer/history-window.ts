/**
 * Reading a training window out of the history store without holding all
 * of it: processed readings in chunks from the newest back, until the
 * window's start or enough readings for `maxReadings`, so a week of a busy
 * plant costs what the model will actually use. A kind that trains on a few
 * devices among many units (the solar forecast) first asks which units
 * report its sensors, and reads only theirs, so the plant's readings do not
 * use up its share.
 */
import type { ReadingRow, TrainingWindow } from "../../ml/index.js";
import type { HistoryStore, LabelRow } from "../../store/index.js";

export type TrainingHistory = Pick<HistoryStore, "trainingWindow" | "labels">;

/** One query's span. */
const CHUNK_MS = 60 * 60 * 1000; // 1 hour

export async function readWindow(
  history: TrainingHistory,
  window: TrainingWindow,
  o: {
    maxReadings: number;
    sensors?: readonly string[];
    units?: readonly string[];
    /** One query's span. @default 1 hour */
    chunkMs?: number;
  },
): Promise<{ readings: ReadingRow[]; labels: LabelRow[]; window: TrainingWindow }> {
  const chunks: ReadingRow[][] = [];
  let count = 0;
  let from = window.to;
  while (from > window.from && count < o.maxReadings) {
    const to = from;
    from = Math.max(window.from, to - (o.chunkMs ?? CHUNK_MS));
    const rows = await history.trainingWindow({ from, to, ...(o.sensors === undefined ? {} : { sensors: o.sensors }), ...(o.units === undefined ? {} : { units: o.units }) });
    chunks.push(rows.map((r) => ({ unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value })));
    count += rows.length;
  }
  const readings = chunks.reverse().flat();
  const read = { from, to: window.to };
  return { readings, labels: await history.labels(read), window: read };
}

/**
 * A recent window sampled the way the baselines were trained: the first
 * `keepMs` of every clock hour in it, so a day-long window costs a twelfth
 * of its readings yet holds every hour of the plant's daily cycle. The
 * clock hours of the day that held any reading say whether the sample spans
 * that cycle (a node started an hour ago has one or two).
 */
export async function readHourlySample(
  history: TrainingHistory,
  window: TrainingWindow,
  keepMs: number,
): Promise<{ readings: ReadingRow[]; labels: LabelRow[]; window: TrainingWindow; hoursOfDay: number }> {
  const readings: ReadingRow[] = [];
  const hours = new Set<number>();
  for (let slot = Math.floor(window.from / CHUNK_MS) * CHUNK_MS; slot < window.to; slot += CHUNK_MS) {
    const from = Math.max(window.from, slot);
    const to = Math.min(window.to, slot + keepMs);
    if (to <= from) continue;
    const rows = await history.trainingWindow({ from, to });
    if (rows.length > 0) hours.add(new Date(slot).getUTCHours());
    for (const r of rows) readings.push({ unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value });
  }
  return { readings, labels: await history.labels(window), window, hoursOfDay: hours.size };
}

/**
 * The units that reported any of `sensors` in the newest chunk of the window
 * (one short query, the chunk's readings of those sensors only): a device
 * silent for the last hour is left out of this run.
 */
export async function unitsReporting(history: TrainingHistory, window: TrainingWindow, sensors: readonly string[]): Promise<string[]> {
  const rows = await history.trainingWindow({ from: Math.max(window.from, window.to - CHUNK_MS), to: window.to, sensors });
  return [...new Set(rows.map((r) => r.unit))].sort();
}
