/**
 * Model versions loaded on demand, for scoring outside the pipeline (the
 * API's predict route): LoadedModels (the same onnxruntime sessions and
 * micro-batchers the workers use, so concurrent requests share batches)
 * kept by label, at most `maxLoaded` of them. Beyond, the least recently
 * used version no request holds is retired (its rows finish first). The
 * workers' models are not touched: their sessions stay theirs.
 */
import type { ScoreSink } from "./batcher.js";
import { LoadedModel, type BatchSettings, type ModelSpec } from "./loaded-model.js";

interface Entry {
  readonly model: Promise<LoadedModel>;
  /** Requests using it now: never retired while above zero. */
  users: number;
}

export class OnDemandModels {
  /** In use order: the first is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly maxLoaded: number,
    private readonly settings: BatchSettings,
  ) {}

  /**
   * Scores `rows` (each the model's features, in its order) with the version
   * `label` names, loading it with `spec()` when it is not loaded. Resolves
   * with one output array (the model's outputWidth values) per row, and the
   * model. Rejects when onnxruntime cannot load or run it, and when the
   * version's queue is full (`overloaded`, nothing scored).
   */
  async score(label: string, spec: () => Promise<ModelSpec>, rows: readonly Float64Array[]): Promise<{ model: LoadedModel; outputs: Float32Array[] } | "overloaded"> {
    if (this.closed) throw new Error("on-demand models are closed");
    const entry = this.acquire(label, spec);
    try {
      const model = await entry.model;
      if (model.batcher.pending + rows.length > this.settings.maxQueuedRows) return "overloaded";
      return { model, outputs: await scoreAll(model, rows) };
    } finally {
      entry.users--;
      this.trim();
    }
  }

  /** Labels loaded now, least recently used first. */
  loaded(): string[] {
    return [...this.entries.keys()];
  }

  /** Retires every version (after its rows finish). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => retire(e)));
  }

  private acquire(label: string, spec: () => Promise<ModelSpec>): Entry {
    let entry = this.entries.get(label);
    if (entry === undefined) {
      const model = spec().then((s) => LoadedModel.load(s, this.settings));
      entry = { model, users: 0 };
      // A version that cannot load is not kept: the next request tries again (the registry may have been mended).
      model.catch(() => {
        if (this.entries.get(label) === entry) this.entries.delete(label);
      });
    } else {
      this.entries.delete(label);
    }
    this.entries.set(label, entry);
    entry.users++;
    return entry;
  }

  private trim(): void {
    for (const [label, entry] of this.entries) {
      if (this.entries.size <= this.maxLoaded) return;
      if (entry.users > 0) continue;
      this.entries.delete(label);
      void retire(entry);
    }
  }
}

async function retire(entry: Entry): Promise<void> {
  const model = await entry.model.catch(() => undefined);
  await model?.retire().catch(() => undefined);
}

/** Hands every row to the model's batcher (room was checked) and resolves once all are back. */
function scoreAll(model: LoadedModel, rows: readonly Float64Array[]): Promise<Float32Array[]> {
  return new Promise((resolve, reject) => {
    const outputs = new Array<Float32Array>(rows.length);
    let left = rows.length;
    let failure: Error | undefined;
    const sink: ScoreSink<LoadedModel> = {
      scored(tag, out, at) {
        outputs[tag] = out.slice(at, at + model.outputWidth);
        if (--left === 0) settle();
      },
      failed(_tag, _model, error) {
        failure ??= error;
        if (--left === 0) settle();
      },
    };
    const settle = () => (failure === undefined ? resolve(outputs) : reject(failure));
    if (rows.length === 0) return resolve(outputs);
    rows.forEach((row, i) => {
      if (!model.batcher.add(row, null, sink, i)) sink.failed(i, model, new Error("the model's queue is full"));
    });
  });
}
