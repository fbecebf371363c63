/**
 * ML bench: training time and peak memory per algorithm on simulator
 * feature rows, and onnxruntime scoring throughput and latency, one row per
 * run (the baseline) against 1,024-row batches, in the same run.
 *
 * Training data: a plant of 200 units read once a second; each unit's
 * temperature series becomes feature rows through the shared rolling
 * features (38 columns, default spec), labelled by the simulator's ground
 * truth (anomalous or not: each unit gets one temperature fault lasting a
 * tenth of the run),
 * with the next temperature reading as the
 * regression target. 1,000,000 rows (--quick: 20,000).
 *
 * Each algorithm trains in the TrainingPool's worker (as a trainer does);
 * `train_s` is the fit alone (the worker's own measure, without the export
 * check), `train_peak_mb` the node process's peak resident memory while the
 * job ran (sampled every 20 ms; includes the dataset, its copy into the
 * worker, and the export check), with the resident memory at the job's
 * start beside it (`rss_at_start_mb`). `train_s` is wall time, so on a shared
 * machine it grows with everyone else's load; `job_cpu_s` is the CPU time
 * the node process spent on the whole job (copy in, train, export, check),
 * which does not.
 *
 * Scoring: the trained gradient-boosted classifier's ONNX in one
 * onnxruntime session (CPU, one intra-op thread), the way a shard worker
 * will hold it.
 *
 * Registry: the same ONNX promoted on one node and heard on another through
 * the JetStream registry (bench/ml/registry-swap.ts).
 *
 * Actors: the same classifier as `anomaly.temperature` scoring readings in
 * sensor actors on two shard workers (micro-batched), against the rules
 * path in the same run (bench/ml/actor-scoring.ts).
 */
import * as ort from "onnxruntime-node";
import { Plant, ReadingGenerator } from "../src/actors/simulator/index.js";
import { DEFAULT_FEATURE_SPEC, featureRows, ONNX_INPUT, TrainingPool, type Algorithm, type Dataset, type Task, type TrainingResult } from "../src/ml/index.js";
import type { SuiteOptions } from "./run.js";
import { benchActorScoring } from "./ml/actor-scoring.js";
import { benchRegistrySwap } from "./ml/registry-swap.js";
import { reportFigure } from "./report.js";

const SUITE = "ml";
const UNITS = 200;
const BATCH_ROWS = 1024;
const SAMPLE_MS = 20;
/** Simulator ticks generated per batch while building the rows. */
const TICKS_PER_BATCH = 100;

interface Scale {
  rows: number;
  holdoutRows: number;
  singleRuns: number;
  batchedRuns: number;
  swapRounds: number;
  actorReadings: number;
  actorPacedMs: number;
}

const FULL: Scale = { rows: 1_000_000, holdoutRows: 20_000, singleRuns: 20_000, batchedRuns: 400, swapRounds: 200, actorReadings: 1_000_000, actorPacedMs: 10_000 };
const QUICK: Scale = { rows: 20_000, holdoutRows: 2_000, singleRuns: 2_000, batchedRuns: 40, swapRounds: 20, actorReadings: 50_000, actorPacedMs: 2_000 };

/** What each algorithm learns here and with which parameters: sized so the full run finishes in minutes on 2 cores. */
const RUNS: readonly { algorithm: Algorithm; task: Task; params: Record<string, number> }[] = [
  { algorithm: "isolation_forest", task: "anomaly", params: { trees: 100, sampleSize: 256 } },
  { algorithm: "random_forest", task: "binary", params: { trees: 20, maxDepth: 10, minLeaf: 20 } },
  { algorithm: "gradient_boosting", task: "binary", params: { rounds: 30, maxDepth: 5, subsample: 0.5, featureFraction: 0.5 } },
  { algorithm: "gradient_boosting", task: "regression", params: { rounds: 30, maxDepth: 5, subsample: 0.5, featureFraction: 0.5 } },
  { algorithm: "linear_regression", task: "regression", params: {} },
  { algorithm: "logistic_regression", task: "binary", params: { epochs: 2 } },
];

export async function run(opts: SuiteOptions): Promise<void> {
  const scale = opts.quick ? QUICK : FULL;
  progress(`building ${scale.rows + scale.holdoutRows} feature rows from the simulator`);
  const { train, holdout } = simulatorRows(scale.rows, scale.holdoutRows);
  const pool = new TrainingPool({ threads: 1 });
  let scorer: TrainingResult | undefined;
  try {
    for (const r of RUNS) {
      const data = r.task === "regression" ? train.regression : r.task === "anomaly" ? { ...train.binary, y: undefined } : train.binary;
      const held = r.task === "regression" ? holdout.regression : holdout.binary;
      progress(`training ${r.algorithm} (${r.task}) on ${data.rows} rows`);
      const rssBeforeMb = Math.round(process.memoryUsage.rss() / (1024 * 1024));
      const cpuBefore = process.cpuUsage();
      const { result, peakMb } = await withPeakRss(() => pool.run({ algorithm: r.algorithm, task: r.task, data: stripTarget(data, r.task), holdout: held, params: r.params, seed: 1 }));
      const cpu = process.cpuUsage(cpuBefore);
      const conditions = { algorithm: r.algorithm, task: r.task, rows: data.rows, features: data.features.length };
      reportFigure({ suite: SUITE, metric: "train_s", value: round(result.trainSeconds), unit: "s", conditions });
      reportFigure({ suite: SUITE, metric: "job_cpu_s", value: round((cpu.user + cpu.system) / 1e6), unit: "s", conditions });
      // What the process held as the job started (the bench's own rows among it), so the job's share of the peak shows.
      reportFigure({ suite: SUITE, metric: "train_peak_mb", value: Math.round(peakMb), unit: "MB", conditions: { ...conditions, rss_at_start_mb: rssBeforeMb } });
      progress(`  holdout ${JSON.stringify(result.metrics)}, export max |error| ${result.exportCheck.maxAbsError.toExponential(2)}`);
      if (r.algorithm === "gradient_boosting" && r.task === "binary") scorer = result;
    }
  } finally {
    await pool.close();
  }
  if (scorer !== undefined) {
    await benchScoring(scorer, holdout.binary, scale);
    progress(`registry: ${scale.swapRounds} promotions on node A heard on node B`);
    await benchRegistrySwap(SUITE, { algorithm: "gradient_boosting", task: "binary", features: holdout.binary.features, onnx: scorer.onnx }, scale.swapRounds);
    // The same classifier as a temperature sensor's anomaly model, through the actors.
    await benchActorScoring(
      SUITE,
      {
        model: "anomaly.temperature",
        algorithm: "gradient_boosting",
        task: "binary",
        features: holdout.binary.features,
        params: {},
        metrics: scorer.metrics,
        trainingWindow: { from: 0, to: 1 },
        dataHash: scorer.dataHash,
        seed: 1,
        onnx: scorer.onnx,
      },
      { readings: scale.actorReadings, pacedMs: scale.actorPacedMs },
    );
  }
}

async function benchScoring(model: TrainingResult, rows: Dataset, scale: Scale): Promise<void> {
  const d = rows.features.length;
  const x = Float32Array.from(rows.x);
  const session = await ort.InferenceSession.create(model.onnx, { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1 });
  const conditions = { model: "gradient_boosting binary", trees: model.model.kind === "trees" ? model.model.trees.length : 0, features: d };
  try {
    progress(`scoring ${scale.singleRuns} single rows`);
    const singleStart = performance.now();
    for (let i = 0; i < scale.singleRuns; i++) {
      const r = i % rows.rows;
      await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x.subarray(r * d, (r + 1) * d), [1, d]) });
    }
    const singleRate = scale.singleRuns / ((performance.now() - singleStart) / 1000);

    progress(`scoring ${scale.batchedRuns} batches of ${BATCH_ROWS} rows`);
    const latencies: number[] = [];
    const batchedStart = performance.now();
    const batches = Math.floor(rows.rows / BATCH_ROWS);
    for (let i = 0; i < scale.batchedRuns; i++) {
      const b = i % batches;
      const t = performance.now();
      await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x.subarray(b * BATCH_ROWS * d, (b + 1) * BATCH_ROWS * d), [BATCH_ROWS, d]) });
      latencies.push(performance.now() - t);
    }
    const batchedRate = (scale.batchedRuns * BATCH_ROWS) / ((performance.now() - batchedStart) / 1000);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.min(latencies.length - 1, Math.ceil(0.99 * latencies.length) - 1)] as number;

    reportFigure({ suite: SUITE, metric: "single_rows_per_s", value: Math.round(singleRate), unit: "1/s", conditions });
    reportFigure({
      suite: SUITE,
      metric: "batched_rows_per_s",
      value: Math.round(batchedRate),
      unit: "1/s",
      conditions: { ...conditions, batch_rows: BATCH_ROWS },
      baseline: "single-row session.run",
      baseline_value: Math.round(singleRate),
    });
    reportFigure({ suite: SUITE, metric: "batched_latency_p99_ms", value: round(p99), unit: "ms", conditions: { ...conditions, batch_rows: BATCH_ROWS } });
  } finally {
    await session.release();
  }
}

interface Tables {
  readonly binary: Dataset;
  readonly regression: Dataset;
}

/** Temperature feature rows of every unit, interleaved in time order, split into the first `rows` and the `holdoutRows` after them. */
function simulatorRows(rows: number, holdoutRows: number): { train: Tables; holdout: Tables } {
  const total = rows + holdoutRows;
  const plant = new Plant({ units: UNITS, seed: 1, recordTruth: false });
  const perUnit = Math.ceil(total / UNITS) + 1;
  const start = Date.UTC(2024, 0, 1);
  // One temperature fault per unit (overheat or degradation, taking turns) lasting a tenth of the run, spread over it.
  const faultMs = Math.ceil(perUnit / 10) * 1000;
  plant.unitIds.forEach((unit, u) => {
    const at = start + Math.floor((((u * 7919) % UNITS) / UNITS) * perUnit * 0.9) * 1000;
    plant.inject({ unit, kind: u % 2 === 0 ? "high_temperature" : "degradation", durationMs: faultMs }, at);
  });
  const sensors = plant.sensorIds.length;
  const generator = new ReadingGenerator(plant, { startAt: start });
  const width = featureRows(DEFAULT_FEATURE_SPEC, [], []).names.length;
  const x = new Float64Array(total * width);
  const anomalous = new Float64Array(total);
  const next = new Float64Array(total);
  const t = plant.sensorIds.indexOf("temperature");
  const series = Array.from({ length: UNITS }, () => ({ ts: new Float64Array(perUnit), values: new Float64Array(perUnit), truth: new Uint8Array(perUnit) }));
  // A few ticks of readings at a time (the readings do not depend on the
  // batch sizes): all 5 million reading objects at once swelled the
  // process's resident memory, which stayed in every train_peak_mb after it.
  const batch: ReturnType<ReadingGenerator["nextBatch"]> = [];
  for (let k0 = 0; k0 < perUnit; k0 += TICKS_PER_BATCH) {
    const ticks = Math.min(TICKS_PER_BATCH, perUnit - k0);
    batch.length = 0;
    generator.nextBatch(ticks * UNITS * sensors, batch);
    // Readings come tick by tick, unit by unit: unit u's temperature at tick k is reading (k·UNITS + u)·sensors + t.
    for (let k = 0; k < ticks; k++) {
      for (let u = 0; u < UNITS; u++) {
        const r = batch[(k * UNITS + u) * sensors + t]!;
        const s = series[u]!;
        s.ts[k0 + k] = r.timestamp;
        s.values[k0 + k] = r.value;
        s.truth[k0 + k] = r.anomalous ? 1 : 0;
      }
    }
  }
  const perUnitRows = series.map(({ ts, values, truth }) => ({ m: featureRows(DEFAULT_FEATURE_SPEC, ts, values), values, truth }));
  let row = 0;
  for (let k = 0; row < total; k++) {
    for (let u = 0; u < UNITS && row < total; u++) {
      const { m, values, truth } = perUnitRows[u]!;
      if (k >= m.rows - 1) continue;
      x.set(m.data.subarray(k * width, (k + 1) * width), row * width);
      const source = m.sourceIndex[k]!;
      anomalous[row] = truth[source]!;
      next[row] = values[source + 1]!;
      row++;
    }
  }
  const names = featureRows(DEFAULT_FEATURE_SPEC, [], []).names;
  const cut = (y: Float64Array, from: number, to: number): Dataset => ({ features: names, rows: to - from, x: x.subarray(from * width, to * width), y: y.subarray(from, to) });
  return {
    train: { binary: cut(anomalous, 0, rows), regression: cut(next, 0, rows) },
    holdout: { binary: cut(anomalous, rows, total), regression: cut(next, rows, total) },
  };
}

function stripTarget(data: Dataset, task: Task): Dataset {
  return task === "anomaly" ? { features: data.features, rows: data.rows, x: data.x } : data;
}

/** Runs `job` while sampling the process's resident memory; the peak in MB. */
async function withPeakRss<T>(job: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, SAMPLE_MS);
  try {
    const result = await job();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakMb: peak / (1024 * 1024) };
  } finally {
    clearInterval(timer);
  }
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}

function progress(message: string): void {
  process.stderr.write(`bench ml: ${message}\n`);
}
