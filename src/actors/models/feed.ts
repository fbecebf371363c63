/**
 * The main thread's side of model scoring: keeps every shard worker on the
 * registry's Production version of each scored model. At start it sends
 * what is in Production; then, on every registry change that moves a
 * version into or out of Production, it loads the new version's bytes
 * (the registry refuses corrupt or mismatched ones: VIGIL_MODEL_CORRUPT,
 * VIGIL_MODEL_INCOMPATIBLE), checks that the scorers can build its
 * features, and sends it to every worker's modelbook, which swaps it in
 * once its session runs. A refused version changes nothing: the workers
 * keep the one they have (or the rules). A replaced worker gets the
 * current set again.
 */
import type { Logger } from "pino";
import type { ModelRegistry, ModelSpec, ModelVersion, RegistryWatch, WorkerModelStats } from "../../ml/index.js";
import { isVigilError, keysForEveryShard, VigilError, type ActorSystem } from "../../runtime/index.js";
import { MODELBOOK_KIND, type DrainModels, type InstallModel, type ModelStatsQuery, type RemoveModel } from "./kind.js";
import { checkScorable, isScoredModel } from "./names.js";
import { thresholdOf } from "./outputs.js";

export interface ModelFeedOptions {
  readonly system: ActorSystem;
  readonly registry: ModelRegistry;
  /** A sensor's rolling feature names as configured: what sensor and unit rows are built from. */
  readonly sensorFeatures: readonly string[];
  /** For `anomaly` models whose version does not carry its own `threshold` (params or metrics). */
  readonly anomalyThreshold: number;
  readonly log: Logger;
  /** How long a worker may take to load and test-run a version. @default 60 s */
  readonly installTimeoutMs?: number;
  /** How long a model seen with no Production version is given before the workers drop it (a promotion's moves in between). @default 250 */
  readonly removeGraceMs?: number;
  /** Called for every version refused, with the error's code. */
  readonly onRefused?: (model: string, version: number, code: string) => void;
}

/** Key prefix of the modelbook actors (one key per worker). */
const KEY_PREFIX = "w";

export class ModelFeed {
  private readonly o: ModelFeedOptions;
  /** What the workers score with now, per model name. */
  private readonly live = new Map<string, ModelSpec>();
  /** The last version refused per model name: not tried again until Production moves on. */
  private readonly refused = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private watch: RegistryWatch | undefined;
  private offEvents: (() => void) | undefined;
  private stopped = false;

  constructor(options: ModelFeedOptions) {
    this.o = options;
  }

  /** Sends every Production model to the workers, then follows the registry. */
  async start(): Promise<void> {
    this.watch = this.o.registry.watch((change) => {
      if (change.to === "Production" || change.from === "Production") this.enqueue(change.model);
    });
    this.offEvents = this.o.system.onEvent((event) => {
      if (event.type === "worker-restarted") this.enqueueResend();
    });
    const names = new Set((await this.o.registry.list()).map((v) => v.model));
    for (const name of names) this.enqueue(name);
    await this.settled();
  }

  /** Resolves once every change seen so far has reached the workers (or been refused). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The versions the workers score with, per model name. */
  current(): ReadonlyMap<string, number> {
    return new Map([...this.live].map(([name, spec]) => [name, spec.version]));
  }

  /** Every worker's scoring counters. */
  async workerStats(): Promise<WorkerModelStats[]> {
    const query: ModelStatsQuery = { type: "stats" };
    return Promise.all(this.keys().map((key) => this.o.system.ask<WorkerModelStats>(`${MODELBOOK_KIND}/${key}`, query)));
  }

  /**
   * Waits until the workers' models have answered every row handed to them,
   * and the answers' own consequences (a sensor's update to its unit, the
   * unit's round) have come back too: a stopping node publishes what its
   * actors already took before they stop. At most `rounds` passes.
   */
  async drain(rounds = 10): Promise<void> {
    const drain: DrainModels = { type: "drain" };
    let quiet = 0;
    for (let i = 0; i < rounds && quiet < 2; i++) {
      const waiting = await Promise.all(this.keys().map((key) => this.o.system.ask<number>(`${MODELBOOK_KIND}/${key}`, drain).catch(() => 0)));
      quiet = waiting.every((n) => n === 0) ? quiet + 1 : 0;
    }
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.offEvents?.();
  }

  private enqueue(name: string): void {
    if (!isScoredModel(name)) return;
    this.chain = this.chain.then(() => this.follow(name));
  }

  private enqueueResend(): void {
    this.chain = this.chain.then(async () => {
      for (const spec of this.live.values()) await this.broadcast({ type: "install", spec }).catch(() => undefined);
    });
  }

  /** Brings the workers to `name`'s Production version (or to none). Never throws: a refusal is logged and counted. */
  private async follow(name: string): Promise<void> {
    if (this.stopped) return;
    const log = this.o.log;
    let production: ModelVersion | undefined;
    try {
      production = await this.o.registry.production(name);
    } catch (err) {
      log.error({ model: name, err }, "cannot read the model's Production version; the workers keep what they have");
      return;
    }
    const live = this.live.get(name);
    if (production === undefined && live !== undefined) {
      // A promotion archives the old version before it promotes the new one, and each move is
      // reported on its own: look again once it has had time to finish before going to rules.
      await new Promise((resolve) => setTimeout(resolve, this.o.removeGraceMs ?? 250));
      try {
        production = await this.o.registry.production(name);
      } catch (err) {
        log.error({ model: name, err }, "cannot read the model's Production version; the workers keep what they have");
        return;
      }
      if (production !== undefined) return this.follow(name);
    }
    if (production === undefined) {
      if (live === undefined) return;
      const remove: RemoveModel = { type: "remove", name };
      await this.broadcast(remove).catch((err: unknown) => log.error({ model: name, err }, "removing the model from the workers failed"));
      this.live.delete(name);
      log.info({ model: name, version: live.version }, "no version of the model is in Production: its rows go to rules");
      return;
    }
    if (live?.version === production.version || this.refused.get(name) === production.version) return;
    try {
      const { manifest, onnx } = await this.o.registry.load(name, production.version);
      checkScorable(name, manifest.version, manifest.task, manifest.features, this.o.sensorFeatures);
      const spec: ModelSpec = { name, version: manifest.version, task: manifest.task, features: manifest.features, threshold: thresholdOf(manifest, this.o.anomalyThreshold), onnx };
      await this.broadcast({ type: "install", spec });
      this.live.set(name, spec);
      log.info({ model: name, version: spec.version, replaced: live?.version ?? null, workers: this.keys().length }, "model in Production is scoring on every worker");
    } catch (err) {
      const code = isVigilError(err) ? err.code : "VIGIL_MODEL_CORRUPT";
      this.refused.set(name, production.version);
      this.o.onRefused?.(name, production.version, code);
      log.error(
        { model: name, version: production.version, code, err, keeps: live === undefined ? "rules" : `${name}@${live.version}` },
        `model refused: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async broadcast(message: InstallModel | RemoveModel): Promise<void> {
    const timeoutMs = this.o.installTimeoutMs ?? 60_000;
    const results = await Promise.allSettled(this.keys().map((key) => this.o.system.ask(`${MODELBOOK_KIND}/${key}`, message, { timeoutMs })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) {
      const reason: unknown = failed.reason;
      if (isVigilError(reason)) throw reason;
      throw new VigilError("VIGIL_MODEL_CORRUPT", reason instanceof Error ? reason.message : String(reason), { cause: reason });
    }
  }

  private keys(): string[] {
    return keysForEveryShard(this.o.system.workers, KEY_PREFIX);
  }
}
