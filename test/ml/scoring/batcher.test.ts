import { describe, expect, it } from "vitest";
import { MicroBatcher, type ScoreSink } from "../../../src/ml/scoring/batcher.js";

/** A model that answers each row with its first column, and lets the test say when each run settles; `smallRows`: batches below it are answered at once, negated. */
function heldModel(options: { maxRows?: number; flushMs?: number; smallRows?: number } = {}): { runs: { rows: number; settle(): void }[]; batcher: MicroBatcher<string> } {
  const runs: { rows: number; settle(): void }[] = [];
  const batcher = new MicroBatcher<string>({
    width: 1,
    outputWidth: 1,
    maxRows: options.maxRows ?? 2,
    flushMs: options.flushMs ?? 60_000,
    maxQueuedRows: 100,
    model: "m",
    ...(options.smallRows === undefined ? {} : { small: { rows: options.smallRows, run: (input: Float32Array, rows: number) => input.subarray(0, rows).map((v) => -v) } }),
    run: (input, rows) =>
      new Promise((resolve) => {
        const out = Float32Array.from(input.subarray(0, rows));
        runs.push({ rows, settle: () => resolve(out) });
      }),
  });
  return { runs, batcher };
}

/** Adds rows first..last, each row [i] tagged i. */
function addRows(batcher: MicroBatcher<string>, sink: ScoreSink<string>, first: number, last: number): void {
  for (let i = first; i <= last; i++) batcher.add(Float64Array.of(i), null, sink, i);
}

function collector(): { seen: number[]; sink: ScoreSink<string> } {
  const seen: number[] = [];
  return { seen, sink: { scored: (_tag, out, at) => seen.push(out[at] as number), failed: () => seen.push(Number.NaN) } };
}

describe("MicroBatcher", () => {
  it("hands every full batch to the model without waiting for the run before it to settle", () => {
    const { runs, batcher } = heldModel();
    const { sink } = collector();
    addRows(batcher, sink, 0, 5);
    expect(runs.map((r) => r.rows)).toEqual([2, 2, 2]);
  });

  it("gives results back in the order the rows were added when later runs settle first", async () => {
    const { runs, batcher } = heldModel();
    const { seen, sink } = collector();
    addRows(batcher, sink, 0, 5);
    const idle = batcher.idle();
    runs[2]?.settle();
    runs[1]?.settle();
    await Promise.resolve();
    expect(seen).toEqual([]);
    runs[0]?.settle();
    await idle;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batcher.pending).toBe(0);
  });

  it("with flushMs 0 runs a batch that is not full as soon as the task that added its rows is over, all of them in one run", async () => {
    const { runs, batcher } = heldModel({ maxRows: 1024, flushMs: 0 });
    const { sink } = collector();
    addRows(batcher, sink, 0, 2);
    expect(runs).toEqual([]);
    await Promise.resolve();
    expect(runs.map((r) => r.rows)).toEqual([3]);
    batcher.add(Float64Array.of(3), null, sink, 3);
    await Promise.resolve();
    expect(runs.map((r) => r.rows)).toEqual([3, 1]);
  });

  it("answers a batch below the small size as it flushes, without a run of the model", async () => {
    const { runs, batcher } = heldModel({ maxRows: 1024, flushMs: 0, smallRows: 4 });
    const { seen, sink } = collector();
    addRows(batcher, sink, 1, 3);
    await Promise.resolve();
    expect(runs).toEqual([]);
    expect(seen).toEqual([-1, -2, -3]);
    expect(batcher.smallRuns).toBe(1);
  });

  it("hands a batch of the small size or more to the model", async () => {
    const { runs, batcher } = heldModel({ maxRows: 1024, flushMs: 0, smallRows: 4 });
    const { sink } = collector();
    addRows(batcher, sink, 1, 4);
    await Promise.resolve();
    expect(runs.map((r) => r.rows)).toEqual([4]);
  });

  it("never answers a row from inside the add that filled its batch, even when the batch is small", () => {
    const { runs, batcher } = heldModel({ maxRows: 2, smallRows: 4 });
    const { seen, sink } = collector();
    addRows(batcher, sink, 1, 2);
    expect(seen).toEqual([]);
    expect(runs.map((r) => r.rows)).toEqual([2]);
  });

  it("gives a small batch's answers back after those of the runs that filled before it", async () => {
    const { runs, batcher } = heldModel({ maxRows: 2, flushMs: 0, smallRows: 2 });
    const { seen, sink } = collector();
    addRows(batcher, sink, 1, 3);
    await Promise.resolve();
    expect(seen).toEqual([]);
    runs[0]?.settle();
    await batcher.idle();
    expect(seen).toEqual([1, 2, -3]);
  });
});
