/**
 * One model version ready to score on this thread: its onnxruntime session
 * (created and test-run before anything is handed to it, so no row ever
 * meets a half-loaded model) and its micro-batcher.
 */
import * as ort from "onnxruntime-node";
import { outputNameOf, type Task } from "../model.js";
import { ONNX_INPUT } from "../onnx/export.js";
import { loadSession } from "../onnx/verify.js";
import { MicroBatcher } from "./batcher.js";

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
  private readonly session: ort.InferenceSession;
  private readonly columns = new WeakMap<readonly string[], Int32Array | null>();

  private constructor(spec: ModelSpec, session: ort.InferenceSession, outputWidth: number, settings: BatchSettings) {
    this.name = spec.name;
    this.version = spec.version;
    this.label = `${spec.name}@${spec.version}`;
    this.task = spec.task;
    this.features = [...spec.features];
    this.threshold = spec.threshold;
    this.outputWidth = outputWidth;
    this.session = session;
    const width = this.features.length;
    const output = outputNameOf(spec.task);
    this.batcher = new MicroBatcher<LoadedModel>({
      width,
      outputWidth,
      maxRows: settings.batchRows,
      flushMs: settings.flushMs,
      maxQueuedRows: settings.maxQueuedRows,
      model: this,
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
      return new LoadedModel(spec, session, out.length, settings);
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
