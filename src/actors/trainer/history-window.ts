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
 * The units that reported any of `sensors` in the newest chunk of the window
 * (one short query, the chunk's readings of those sensors only): a device
 * silent for the last hour is left out of this run.
 */
export async function unitsReporting(history: TrainingHistory, window: TrainingWindow, sensors: readonly string[]): Promise<string[]> {
  const rows = await history.trainingWindow({ from: Math.max(window.from, window.to - CHUNK_MS), to: window.to, sensors });
  return [...new Set(rows.map((r) => r.unit))].sort();
}
