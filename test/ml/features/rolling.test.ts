import { deserialize, serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { anomalyFeatureNames, featureNames, featureRows, RollingFeatures, type FeatureSpec } from "../../../src/ml/index.js";

const T0 = Date.parse("2024-01-01T12:00:00Z");
const S = 1000; // one second in ms

function spec(over: Partial<FeatureSpec> = {}): FeatureSpec {
  return { counts: [], durationsMs: [], ewmaAlpha: 0.5, maxSamples: 1024, ...over };
}

function fed(s: FeatureSpec, samples: [seconds: number, value: number][]): RollingFeatures {
  const f = new RollingFeatures(s);
  for (const [t, v] of samples) expect(f.push(T0 + t * S, v)).toBe(true);
  return f;
}

/** Statistics computed the slow, obvious way, to compare the running sums with. */
function naive(points: [t: number, v: number][]) {
  const n = points.length;
  const mean = points.reduce((a, [, v]) => a + v, 0) / n;
  const sd = Math.sqrt(points.reduce((a, [, v]) => a + (v - mean) ** 2, 0) / (n - 1));
  const tm = points.reduce((a, [t]) => a + t, 0) / n;
  const sxy = points.reduce((a, [t, v]) => a + (t - tm) * (v - mean), 0);
  const sxx = points.reduce((a, [t]) => a + (t - tm) ** 2, 0);
  return { mean, sd, slope: sxy / sxx, min: Math.min(...points.map(([, v]) => v)), max: Math.max(...points.map(([, v]) => v)) };
}

describe("a count window", () => {
  it("holds the last N samples and reads mean, std, min, max, slope and z-score from them", () => {
    const f = fed(spec({ counts: [3] }), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]]);
    const w = f.windows[0]!;
    // The window is [3, 4, 5] at 2, 3, 4 s.
    expect(w.n).toBe(3);
    expect(w.mean()).toBeCloseTo(4, 12);
    expect(w.std()).toBeCloseTo(1, 12);
    expect(w.min()).toBe(3);
    expect(w.max()).toBe(5);
    expect(w.slope()).toBeCloseTo(1, 12);
    expect(w.zscore()).toBeCloseTo(1, 12); // (5 − 4) / 1
  });

  it("tracks min and max as values leave the window", () => {
    const f = new RollingFeatures(spec({ counts: [3] }));
    const seen: [number, number][] = [];
    [5, 1, 4, 2, 3, 9, 0].forEach((v, i) => {
      f.push(T0 + i * S, v);
      seen.push([f.windows[0]!.min(), f.windows[0]!.max()]);
    });
    // windows: [5] [5,1] [5,1,4] [1,4,2] [4,2,3] [2,3,9] [3,9,0]
    expect(seen).toEqual([[5, 5], [1, 5], [1, 5], [1, 4], [2, 4], [2, 9], [0, 9]]);
  });

  it("fits the slope by least squares against time, with uneven spacing", () => {
    const f = fed(spec({ counts: [3] }), [[0, 1], [1, 2], [3, 7]]);
    // t̄ = 4/3, v̄ = 10/3, Sxx = 42/9, Sxy = 87/9 → 29/14 per second
    expect(f.windows[0]!.slope()).toBeCloseTo(29 / 14, 12);
  });

  it("reads the noise around its trend line, so a steady ramp is not taken for noise", () => {
    // 1 per second plus ±0.5 alternating: residuals around the fitted line
    const samples: [number, number][] = Array.from({ length: 20 }, (_, i) => [i, i + (i % 2 === 0 ? 0.5 : -0.5)]);
    const w = fed(spec({ counts: [20] }), samples).windows[0]!;
    expect(w.std()).toBeGreaterThan(5); // the ramp itself
    expect(w.residualStd()).toBeGreaterThan(0.45);
    expect(w.residualStd()).toBeLessThan(0.55);
    const straight = fed(spec({ counts: [20] }), Array.from({ length: 20 }, (_, i): [number, number] => [i, 3 * i])).windows[0]!;
    expect(straight.residualStd()).toBe(0);
  });

  it("reads std, slope and z-score as 0 until it has two samples", () => {
    const w = fed(spec({ counts: [5] }), [[0, 42]]).windows[0]!;
    expect([w.mean(), w.std(), w.slope(), w.zscore(), w.min(), w.max()]).toEqual([42, 0, 0, 0, 42, 42]);
  });

  it("reads a flat window as exactly flat, so its z-score is 0 rather than huge", () => {
    const samples: [number, number][] = Array.from({ length: 200 }, (_, i) => [i, 20.1]);
    const w = fed(spec({ counts: [30] }), samples).windows[0]!;
    expect(w.std()).toBe(0);
    expect(w.zscore()).toBe(0);
  });

  it("gives the baseline without its newest sample, to judge that sample against", () => {
    const w = fed(spec({ counts: [4] }), [[0, 1], [1, 2], [2, 3], [3, 10]]).windows[0]!;
    expect(w.meanBeforeNewest()).toBeCloseTo(2, 12);
    expect(w.stdBeforeNewest()).toBeCloseTo(1, 12);
  });
});

describe("a time window", () => {
  it("holds the samples of the last D milliseconds, (latest − D, latest]", () => {
    const samples: [number, number][] = Array.from({ length: 11 }, (_, i) => [i, i]);
    const w = fed(spec({ durationsMs: [10 * S] }), samples).windows[0]!;
    // t = 0 is exactly 10 s old and has left; t = 1..10 remain.
    expect(w.n).toBe(10);
    expect(w.mean()).toBeCloseTo(5.5, 12);
    expect(w.min()).toBe(1);
    expect(w.max()).toBe(10);
  });

  it("empties down to the newest sample after a gap longer than its span", () => {
    const w = fed(spec({ durationsMs: [10 * S] }), [[0, 1], [1, 2], [2, 3], [60, 7]]).windows[0]!;
    expect([w.n, w.mean(), w.min(), w.max(), w.std()]).toEqual([1, 7, 7, 7, 0]);
  });

  it("keeps at most maxSamples, dropping the oldest, however fast samples come", () => {
    const f = new RollingFeatures(spec({ durationsMs: [60 * S], maxSamples: 8 }));
    for (let i = 0; i < 100; i++) f.push(T0 + i, i); // 100 samples within 0.1 s
    const w = f.windows[0]!;
    expect(f.size).toBe(8);
    expect([w.n, w.min(), w.max()]).toEqual([8, 92, 99]);
    expect(w.mean()).toBeCloseTo(95.5, 9);
  });
});

describe("stream features", () => {
  it("weight the EWMA by alpha, starting from the first value", () => {
    const f = new RollingFeatures(spec({ ewmaAlpha: 0.5 }));
    const ewma: number[] = [];
    for (const [i, v] of [10, 20, 30].entries()) {
      f.push(T0 + i * S, v);
      ewma.push(f.ewma());
    }
    expect(ewma).toEqual([10, 15, 22.5]);
  });

  it("move the baseline over time, not per sample: after a step it has closed 1 - 1/e of it one baselineMs later, at any rate", () => {
    for (const everyMs of [100, 1000, 5000]) {
      const f = new RollingFeatures(spec({ baselineMs: 60 * S }));
      f.push(T0, 10);
      for (let t = everyMs; t <= 60 * S; t += everyMs) f.push(T0 + t, 20);
      expect(f.baseline()).toBeCloseTo(10 + 10 * (1 - Math.exp(-1)), 9);
    }
  });

  it("start the baseline at the first value", () => {
    expect(fed(spec(), [[0, 7]]).baseline()).toBe(7);
  });

  it("measure the rate of change per second between the two newest samples", () => {
    const f = fed(spec(), [[0, 10], [2, 13]]);
    expect(f.rateOfChange()).toBeCloseTo(1.5, 12);
    expect(fed(spec(), [[0, 10]]).rateOfChange()).toBe(0);
  });

  it("refuse a sample that is not newer than the last, or not a finite number", () => {
    const f = fed(spec({ counts: [5] }), [[0, 1], [1, 2]]);
    expect(f.push(T0 + 1 * S, 5)).toBe(false);
    expect(f.push(T0, 5)).toBe(false);
    expect(f.push(T0 + 3 * S, Number.NaN)).toBe(false);
    expect(f.push(Number.POSITIVE_INFINITY, 1)).toBe(false);
    expect([f.count, f.windows[0]!.n, f.latestValue]).toEqual([2, 2, 2]);
  });
});

describe("the running sums", () => {
  it("agree with a from-scratch computation after a long stream of epoch timestamps and offset values", () => {
    const f = new RollingFeatures(spec({ counts: [5, 30], durationsMs: [10 * S, 60 * S] }));
    const all: [number, number][] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    let t = T0;
    for (let i = 0; i < 20_000; i++) {
      t += 200 + Math.floor(random() * 1600); // 0.2 .. 1.8 s apart
      const v = 1e6 + 50 * Math.sin(i / 300) + random();
      f.push(t, v);
      all.push([(t - T0) / 1000, v]);
    }
    const lastT = all.at(-1)![0];
    const byWindow = [all.slice(-5), all.slice(-30), all.filter(([s]) => s > lastT - 10), all.filter(([s]) => s > lastT - 60)];
    byWindow.forEach((points, i) => {
      const w = f.windows[i]!;
      const want = naive(points);
      expect(w.n).toBe(points.length);
      expect(w.mean()).toBeCloseTo(want.mean, 6);
      expect(w.std()).toBeCloseTo(want.sd, 6);
      expect(w.slope()).toBeCloseTo(want.slope, 6);
      expect(w.min()).toBe(want.min);
      expect(w.max()).toBe(want.max);
    });
  });
});

describe("a snapshot", () => {
  it("restores to identical features after a structured clone and a v8 serialisation, in a fresh instance", () => {
    const s = spec({ counts: [5, 10], durationsMs: [10 * S], ewmaAlpha: 0.3 });
    const f = new RollingFeatures(s);
    for (let i = 0; i < 200; i++) f.push(T0 + i * 700, 20 + Math.sin(i) * 3);
    // Snapshots cross threads by structured clone and are stored v8-serialised (both keep typed arrays).
    const state = deserialize(serialize(structuredClone(f.snapshot()))) as ReturnType<RollingFeatures["snapshot"]>;
    const g = new RollingFeatures(s);
    g.restore(state);
    expect(Array.from(g.vector())).toEqual(Array.from(f.vector()));
    expect(g.count).toBe(200);
    // and both carry on alike
    f.push(T0 + 200 * 700, 25);
    g.push(T0 + 200 * 700, 25);
    expect(Array.from(g.vector())).toEqual(Array.from(f.vector()));
  });

  it("rebuilds the windows from the kept samples when the spec changed in between", () => {
    const f = new RollingFeatures(spec({ counts: [10] }));
    for (let i = 0; i < 50; i++) f.push(T0 + i * S, i % 7);
    const g = new RollingFeatures(spec({ counts: [4] }));
    g.restore(f.snapshot());
    const w = g.windows[0]!;
    // the last four of 0..49 mod 7: 46..49 → 4, 5, 6, 0
    expect([w.n, w.min(), w.max(), w.mean()]).toEqual([4, 0, 6, 3.75]);
  });

  it("from before the baseline existed restarts the baseline at the newest value", () => {
    const f = fed(spec({ counts: [3] }), [[0, 1], [1, 2], [2, 6]]);
    const { baseline: _dropped, ...old } = f.snapshot();
    const g = new RollingFeatures(spec({ counts: [3] }));
    g.restore(old);
    expect(g.baseline()).toBe(6);
  });

  it("keeps only what the widest window needs", () => {
    const f = new RollingFeatures(spec({ counts: [5], durationsMs: [3 * S] }));
    for (let i = 0; i < 100; i++) f.push(T0 + i * S, i);
    expect(Array.from(f.snapshot().values)).toEqual([95, 96, 97, 98, 99]);
  });
});

describe("a change since an earlier state", () => {
  const s = spec({ counts: [5, 30], durationsMs: [60 * S], ewmaAlpha: 0.3, maxSamples: 256 });
  const feed = (f: RollingFeatures, from: number, to: number): void => {
    for (let i = from; i < to; i++) expect(f.push(T0 + i * 97, 20 + Math.sin(i / 3) * 4 + (i % 11) * 0.01)).toBe(true);
  };

  it("applied in order on a restored snapshot, gives the live state bit for bit, also across the rebase and the samples the limit drops", () => {
    const f = new RollingFeatures(s);
    feed(f, 0, 400); // past maxSamples: the oldest are being dropped
    const base = structuredClone(f.snapshot());
    let mark = f.sequence;
    const changes = [];
    for (let step = 1; step <= 12; step++) {
      feed(f, 400 + (step - 1) * 37, 400 + step * 37);
      const change = f.changeSince(mark);
      expect(change).toBeDefined();
      changes.push(structuredClone(change!));
      mark = f.sequence;
    }
    const g = new RollingFeatures(s);
    g.restore(base);
    for (const change of changes) g.applyChange(change);
    expect(Array.from(g.vector())).toEqual(Array.from(f.vector()));
    expect(g.count).toBe(f.count);
    expect(Array.from(g.snapshot().ts)).toEqual(Array.from(f.snapshot().ts));
    // and both carry on alike
    feed(f, 844, 900);
    feed(g, 844, 900);
    expect(Array.from(g.vector())).toEqual(Array.from(f.vector()));
  });

  it("holds only the samples added since, and is not offered once they are more than half of what is kept", () => {
    const f = new RollingFeatures(s);
    feed(f, 0, 300);
    const mark = f.sequence;
    feed(f, 300, 310);
    expect(f.changeSince(mark)?.ts.length).toBe(10);
    feed(f, 310, 500);
    expect(f.changeSince(mark)).toBeUndefined();
  });
});

describe("the feature vector", () => {
  it("names each window's statistics in spec order, then ewma and rate_of_change", () => {
    expect(featureNames(spec({ counts: [5], durationsMs: [10 * S, 1500] }))).toEqual([
      "c5_mean", "c5_std", "c5_min", "c5_max", "c5_slope", "c5_zscore",
      "t10s_mean", "t10s_std", "t10s_min", "t10s_max", "t10s_slope", "t10s_zscore",
      "t1500ms_mean", "t1500ms_std", "t1500ms_min", "t1500ms_max", "t1500ms_slope", "t1500ms_zscore",
      "ewma", "rate_of_change",
    ]);
  });

  it("gives an anomaly model each window's spread and slope and the longest time window's level, in vector order", () => {
    expect(anomalyFeatureNames(spec({ counts: [5], durationsMs: [60 * S, 10 * S] }))).toEqual(["c5_std", "c5_slope", "t60s_mean", "t60s_std", "t60s_slope", "t10s_std", "t10s_slope"]);
    // Without time windows the level is the longest count window's.
    expect(anomalyFeatureNames(spec({ counts: [30, 5], durationsMs: [] }))).toEqual(["c30_mean", "c30_std", "c30_slope", "c5_std", "c5_slope"]);
  });

  it("is what featureRows computes for a whole series, skipping samples the live path refuses", () => {
    const s = spec({ counts: [3], durationsMs: [5 * S] });
    const ts = [0, 1, 1, 2, 3, 4].map((t) => T0 + t * S); // the third repeats a timestamp
    const values = [1, 2, 9, 3, Number.NaN, 5];
    const m = featureRows(s, ts, values);
    expect(m.rows).toBe(4);
    expect(Array.from(m.sourceIndex)).toEqual([0, 1, 3, 5]);
    const live = new RollingFeatures(s);
    [0, 1, 3, 5].forEach((i, row) => {
      live.push(ts[i]!, values[i]!);
      expect(Array.from(m.data.subarray(row * live.width, (row + 1) * live.width))).toEqual(Array.from(live.vector()));
    });
  });

  it("leaves a stream's warm-up out of featureRows: the first row is the one after spec.minSamples samples, as the live features turn warm", () => {
    const s = spec({ counts: [3], minSamples: 4 });
    const ts = [0, 1, 2, 3, 4, 5].map((t) => T0 + t * S);
    const values = [1, 2, 3, 4, 5, 6];
    const m = featureRows(s, ts, values);
    expect(Array.from(m.sourceIndex)).toEqual([3, 4, 5]);
    const live = new RollingFeatures(s);
    const warm = values.map((v, i) => (live.push(ts[i]!, v), live.warm));
    expect(warm).toEqual([false, false, false, true, true, true]);
    expect(Array.from(m.data.subarray(m.data.length - live.width))).toEqual(Array.from(live.vector()));
  });

  it("refuses a spec it cannot compute", () => {
    expect(() => new RollingFeatures(spec({ counts: [0] }))).toThrow(/counts/);
    expect(() => new RollingFeatures(spec({ durationsMs: [-1] }))).toThrow(/durationsMs/);
    expect(() => new RollingFeatures(spec({ ewmaAlpha: 0 }))).toThrow(/ewmaAlpha/);
    expect(() => new RollingFeatures(spec({ counts: [10], maxSamples: 5 }))).toThrow(/counts/);
    expect(() => new RollingFeatures(spec({ baselineMs: 0 }))).toThrow(/baselineMs/);
    expect(() => new RollingFeatures(spec({ minSamples: 0 }))).toThrow(/minSamples/);
  });
});

describe("a window's columns of the feature vector", () => {
  it("are its statistics one by one, from empty through flat to noisy", () => {
    const f = new RollingFeatures(spec({ counts: [1, 2, 5] }));
    const values = [7, 7, 7, 3.5, 12.25, -4, 9, 9.001, 1e6, 0.1];
    const check = (): void => {
      const vector = f.vector();
      f.windows.forEach((w, i) => {
        expect([...vector.subarray(i * 6, i * 6 + 6)]).toEqual([w.mean(), w.std(), w.min(), w.max(), w.slope(), w.zscore()]);
      });
    };
    check();
    values.forEach((v, i) => {
      f.push(1_700_000_000_000 + i * 1000, v);
      check();
    });
  });
});
