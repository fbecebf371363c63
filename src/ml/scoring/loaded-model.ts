/**
 * One model version ready to score on this thread: its onnxruntime session
 * (created and test-run before anything is handed to it, so no row ever
 * meets a half-loaded model) and its micro-batcher.
 *
 * Two evaluators of one model: when the bytes are a Vigil export (readOnnx
 * rebuilds the model from them, exactly, or refuses), batches of fewer than
 * SMALL_RUN_ROWS rows are scored with `predict` on that model instead of by
 * onnxruntime. That is acceptable because they are the same model: the
 * export check every training run ends with (verifyExport) refuses a model
 * whose ONNX graph and `predict` differ by more than float32 arithmetic
 * explains, and the reader takes back only bytes this exporter writes.
 * What can still differ is that rounding: over 10⁶ random rows per
 * baseline, `predict` (float64, rounded to float32) and onnxruntime (float32
 * throughout, bitwise the same for a row in a batch of 1 or 1024) differed
 * on 0.5 % (unit_state) to nearly all (solar_forecast) of the values, by
 * at most 2 float32 ulps (1.2e-7 on an anomaly score; 1.2e-7 absolute on
 * solar_forecast's values near zero).
 * So a score within ~1e-7 of the version's threshold may be flagged
 * either way depending on the size of the batch its row fell in: no
 * baseline threshold sits on a value the scores take (anomaly.* use the
 * default 0.6, and isolation scores are 2^(−mean path / c), irrational),
 * but ~20 rows in 10⁶ scored within 1e-6 of 0.6 (closest 3.8e-7) and none
 * flipped; unit_state's class (argmax) never differed. A reading that close
 * to the threshold is a coin toss on the model's own terms.
 * A graph the reader refuses is scored by onnxruntime alone.
 */
import * as ort from "onnxruntime-node";
import { outputNameOf, predict, type Model, type Task } from "../model.js";
import { ONNX_INPUT } from "../onnx/export.js";
import { readOnnx } from "../onnx/read.js";
import { loadSession, withinTolerance } from "../onnx/verify.js";
import { MicroBatcher, type SmallRun } from "./batcher.js";

/**
 * Below this many rows a batch is scored with `predict`. Measured (one
 * thread, CPU per run, bench/_small-runs.ts): onnxruntime costs ~11–24 µs
 * a run whatever its size up to ~16 rows, `predict` ~0.35–0.9 µs a row;
 * they cross at ~16–24 rows for anomaly.* and solar_forecast, ~40 for
 * unit_rul, ~64 for unit_state.
 *
 * Why 64 and not the anomaly models' 16: latency. An onnxruntime run starts
 * on a later turn of the worker's event loop (onnxruntime-node's backend
 * defers it with setImmediate), behind whatever else has come in by then,
 * and the sensor's later readings wait behind the one being scored. With
 * 16, a paced load's batches that bunched up to a few dozen rows took that
 * hop: at 60,000 readings/s offered (bench/_latency-stages.ts, 2 cores)
 * p99 was 35–66 ms over six runs; with 64 it was 15–28 ms over four, 128
 * and all-`predict` alike, at the same node CPU per reading (18–23 µs).
 * `predict` on 24–63 rows costs an anomaly model up to ~2× the run
 * (~50 vs ~25 µs), a few tenths of a µs per such row.
 */
export const SMALL_RUN_ROWS = 64;

/** What a worker is sent to score with a version: plain data, structured-cloneable. */
export interface ModelSpec {
  readonly name: string;
  readonly version: number;
  readonly task: Task;
  /** The input contract: column names, in the model's input order. */
  readonly features: readonly string[];
  /** A score at or above it is anomalous (anomaly and binary tasks). */
  readonly threshold: number;
  readonly onnx: Uint8Array;
}

export interface BatchSettings {
  /** Rows per batch at most. @default 1024 */
  readonly batchRows: number;
  /** A batch that is not full runs this long after its first row (0: at the end of the task that added it). @default 0 */
  readonly flushMs: number;
  /** Rows waiting per model at most; beyond, rows are refused (scored by rules). @default 16 × batchRows */
  readonly maxQueuedRows: number;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = { batchRows: 1024, flushMs: 0, maxQueuedRows: 16 * 1024 };

export class LoadedModel {
  readonly name: string;
  readonly version: number;
  /** As published in `model_version`: `<name>@<version>`. */
  readonly label: string;
  readonly task: Task;
  readonly features: readonly string[];
  readonly threshold: number;
  /** Output values per row. */
  readonly outputWidth: number;
  readonly batcher: MicroBatcher<LoadedModel>;
  /** The first run failure, kept so it is logged once. */
  failure: Error | undefined;
  /** The model rebuilt from the ONNX bytes, when they are a Vigil export: scores small batches. */
  readonly twin: Model | undefined;
  private readonly session: ort.InferenceSession;
  private readonly columns = new WeakMap<readonly string[], Int32Array | null>();

  private constructor(spec: ModelSpec, session: ort.InferenceSession, outputWidth: number, twin: Model | undefined, settings: BatchSettings) {
    this.name = spec.name;
    this.version = spec.version;
    this.label = `${spec.name}@${spec.version}`;
    this.task = spec.task;
    this.features = [...spec.features];
    this.threshold = spec.threshold;
    this.outputWidth = outputWidth;
    this.session = session;
    this.twin = twin;
    const width = this.features.length;
    const output = outputNameOf(spec.task);
    const small: SmallRun | undefined = twin === undefined ? undefined : { rows: SMALL_RUN_ROWS, run: (input, rows) => Float32Array.from(predict(twin, input, rows)) };
    this.batcher = new MicroBatcher<LoadedModel>({
      width,
      outputWidth,
      maxRows: settings.batchRows,
      flushMs: settings.flushMs,
      maxQueuedRows: settings.maxQueuedRows,
      model: this,
      ...(small === undefined ? {} : { small }),
      run: async (input, rows) => {
        const x = rows * width === input.length ? input : input.subarray(0, rows * width);
        const result = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x, [rows, width]) });
        return result[output]?.data as Float32Array;
      },
    });
  }

  /**
   * Creates the session and runs one row through it, so a model that loads
   * but cannot run is refused here, before any reading depends on it.
   */
  static async load(spec: ModelSpec, settings: BatchSettings = DEFAULT_BATCH_SETTINGS): Promise<LoadedModel> {
    const session = await loadSession(spec.onnx, 1);
    try {
      const width = spec.features.length;
      const probe = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", new Float32Array(width), [1, width]) });
      const out = probe[outputNameOf(spec.task)]?.data;
      if (!(out instanceof Float32Array) || out.length < 1) throw new Error(`the model has no float output "${outputNameOf(spec.task)}"`);
      return new LoadedModel(spec, session, out.length, twinOf(spec, out), settings);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  /**
   * Indices into a vector whose columns are `names`, one per model feature
   * in the model's order; null when a feature is not among them. Cached per
   * names array: callers pass the same array every time.
   */
  columnsOf(names: readonly string[]): Int32Array | null {
    let map = this.columns.get(names);
    if (map === undefined) {
      const index = new Map(names.map((n, i) => [n, i]));
      const idx = this.features.map((f) => index.get(f) ?? -1);
      map = idx.includes(-1) ? null : Int32Array.from(idx);
      this.columns.set(names, map);
    }
    return map;
  }

  /** Finishes every row handed in (on this session), then releases it. */
  async retire(): Promise<void> {
    await this.batcher.idle();
    await this.session.release();
  }
}

/**
 * The model the bytes were exported from, if they are a Vigil export whose
 * inputs and outputs are the spec's and which scores the probe row (zeros)
 * as onnxruntime just did.
 */
function twinOf(spec: ModelSpec, probe: Float32Array): Model | undefined {
  const model = readOnnx(spec.onnx);
  if (model === undefined || model.task !== spec.task || model.features.join("\0") !== spec.features.join("\0")) return undefined;
  const mine = predict(model, new Float32Array(spec.features.length), 1);
  if (mine.length !== probe.length) return undefined;
  for (let i = 0; i < mine.length; i++) if (!withinTolerance(probe[i] as number, mine[i] as number)) return undefined;
  return model;
}
