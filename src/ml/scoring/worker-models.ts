/**
 * The models one thread scores with: the current version of each model
 * name, swapped atomically when a new one is installed. A new version's
 * session is created and test-run in the background while the old one
 * keeps scoring; the swap is one map write, between two rows being added,
 * so every row goes to exactly one version. Rows already handed to the old
 * version finish on its session, which is released once they have.
 *
 * Also keeps the thread's fallback counts (a row scored by rules instead
 * of a model, per model and reason) as plain numbers, read by a stats
 * query: the hot path never touches prom-client.
 */
import { LoadedModel, DEFAULT_BATCH_SETTINGS, type BatchSettings, type ModelSpec } from "./loaded-model.js";

/**
 * Why a row was scored by rules instead of a model; `warming_up`: the
 * sensor (or a sensor of the unit) has had fewer readings than its warm-up
 * (FeatureSpec.minSamples), so its windows are not yet like any training
 * row; `restored`: its answer was lost with a crashed worker.
 */
export const FALLBACK_REASONS = ["no_model", "warming_up", "features_missing", "overloaded", "failed", "restored"] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

export interface WorkerModelStats {
  models: { name: string; version: number; rowsScored: number; batchesRun: number; pending: number }[];
  fallbacks: { model: string; reason: FallbackReason; count: number }[];
}

export interface WorkerModelsLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

type Counts = Record<FallbackReason, number>;

export class WorkerModels {
  private readonly current = new Map<string, LoadedModel>();
  /** Installs of one name wait for the one before, so versions land in the order they were sent. */
  private readonly installing = new Map<string, Promise<unknown>>();
  private readonly fallbacks = new Map<string, Counts>();
  private readonly retired = { rowsScored: new Map<string, number>() };
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly settings: BatchSettings = DEFAULT_BATCH_SETTINGS,
    private log?: WorkerModelsLog,
  ) {}

  /** Where swaps, refusals and failures are logged (the first one given stays). */
  useLog(log: WorkerModelsLog): void {
    this.log ??= log;
  }

  /** The version of `name` to hand rows to now, if any. */
  get(name: string): LoadedModel | undefined {
    return this.current.get(name);
  }

  /** Whether any current model's name starts with `prefix`. */
  hasAny(prefix: string): boolean {
    for (const name of this.current.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  /** Called after every swap or removal (say, to let actors rebuild what they derive from the model set). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads a version and swaps it in once it runs. Rejects (and keeps the
   * current version) when onnxruntime cannot load or run it.
   */
  install(spec: ModelSpec): Promise<{ name: string; version: number }> {
    const before = this.installing.get(spec.name) ?? Promise.resolve();
    const done = before.then(async () => {
      const live = this.current.get(spec.name);
      if (live?.version === spec.version) return { name: spec.name, version: spec.version };
      let loaded: LoadedModel;
      try {
        loaded = await LoadedModel.load(spec, this.settings);
      } catch (err) {
        this.log?.error({ model: spec.name, version: spec.version, err }, "model refused: onnxruntime cannot load or run it; the current one stays");
        throw err;
      }
      this.current.set(spec.name, loaded);
      this.log?.info({ model: spec.name, version: spec.version, replaced: live?.version ?? null }, "model swapped in");
      this.changed();
      if (live !== undefined) void this.retire(live);
      return { name: spec.name, version: spec.version };
    });
    this.installing.set(spec.name, done.catch(() => undefined));
    return done;
  }

  /** Stops scoring with `name` (rows already handed in still finish). */
  async remove(name: string): Promise<void> {
    await this.installing.get(name);
    const live = this.current.get(name);
    if (live === undefined) return;
    this.current.delete(name);
    this.log?.info({ model: name, version: live.version }, "model removed; its rows go to rules");
    this.changed();
    await this.retire(live);
  }

  /** Counts `rows` (default one) scored by rules instead of `model`. `model` should be a long-lived string (no allocation here). */
  countFallback(model: string, reason: FallbackReason, rows = 1): void {
    let counts = this.fallbacks.get(model);
    if (counts === undefined) {
      counts = { no_model: 0, warming_up: 0, features_missing: 0, overloaded: 0, failed: 0, restored: 0 };
      this.fallbacks.set(model, counts);
    }
    counts[reason] += rows;
  }

  /** A run of `model` failed: logged once per version. */
  noteFailure(model: LoadedModel, error: Error): void {
    if (model.failure !== undefined) return;
    model.failure = error;
    this.log?.error({ model: model.name, version: model.version, err: error }, "model run failed; its rows are scored by rules");
  }

  stats(): WorkerModelStats {
    const models = [...this.current.values()].map((m) => ({
      name: m.name,
      version: m.version,
      rowsScored: m.batcher.rowsScored + (this.retired.rowsScored.get(m.name) ?? 0),
      batchesRun: m.batcher.batchesRun,
      pending: m.batcher.pending,
    }));
    const fallbacks: WorkerModelStats["fallbacks"] = [];
    for (const [model, counts] of this.fallbacks) {
      for (const reason of Object.keys(counts) as FallbackReason[]) if (counts[reason] > 0) fallbacks.push({ model, reason, count: counts[reason] });
    }
    return { models, fallbacks };
  }

  /** Rows handed to the current models and not yet answered. */
  pending(): number {
    let n = 0;
    for (const m of this.current.values()) n += m.batcher.pending;
    return n;
  }

  /** Finishes every model's rows handed in so far. */
  async idle(): Promise<void> {
    await Promise.all([...this.current.values()].map((m) => m.batcher.idle()));
  }

  /** Releases every session (after their rows finish). */
  async close(): Promise<void> {
    const all = [...this.current.values()];
    this.current.clear();
    await Promise.all(all.map((m) => this.retire(m)));
  }

  private async retire(model: LoadedModel): Promise<void> {
    try {
      await model.retire();
    } catch (err) {
      this.log?.error({ model: model.name, version: model.version, err }, "releasing a replaced model's session failed");
    }
    this.retired.rowsScored.set(model.name, (this.retired.rowsScored.get(model.name) ?? 0) + model.batcher.rowsScored);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
