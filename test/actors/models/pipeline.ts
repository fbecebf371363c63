/**
 * A real actor system with shard workers running the node's kinds with
 * models on, a filesystem registry in a temporary directory, and the feed
 * that keeps the workers on its Production versions; what the actors
 * publish is collected, and a test waits for what it expects.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { KindsConfig } from "../../../src/actors/kinds.js";
import { ModelFeed } from "../../../src/actors/models/index.js";
import type { ProcessedReading, UnitState } from "../../../src/actors/readings/index.js";
import { FsModelRegistry, type NewModelVersion } from "../../../src/ml/index.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { promote, SENSOR_FEATURES } from "./trained.js";

const KINDS_MODULE = fileURLToPath(new URL("../../../src/actors/kinds.ts", import.meta.url));
const CRASHABLE_KINDS_MODULE = fileURLToPath(new URL("../../fixtures/kinds.ts", import.meta.url));

export const MODELS_CONFIG = { batchRows: 256, flushMs: 1, maxQueuedRows: 1 << 20, healthyRulHours: 500 };

export interface Published {
  subject: string;
  payload: unknown;
}

export class ScoringPipeline {
  readonly published: Published[] = [];
  readonly refused: { model: string; version: number; code: string }[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  private constructor(
    readonly system: ActorSystem,
    readonly registry: FsModelRegistry,
    readonly feed: ModelFeed,
    private readonly dir: string,
  ) {}

  /**
   * `models` overrides the scoring settings (say, a flush long enough that
   * readings stay handed to a model); `crashable` adds the runtime specs'
   * kinds, whose `counter` ends its worker on `exit-worker`.
   */
  static async start(
    options: { workers?: number; kinds?: KindsConfig; models?: Partial<typeof MODELS_CONFIG>; snapshotIntervalMs?: number; inflightBudget?: number; crashable?: boolean } = {},
  ): Promise<ScoringPipeline> {
    const dir = await mkdtemp(path.join(tmpdir(), "vigil-scoring-"));
    const registry = new FsModelRegistry({ root: dir });
    // Set once the pipeline exists; nothing publishes before.
    const at: { pipeline?: ScoringPipeline } = {};
    const system = await createActorSystem({
      workers: options.workers ?? 2,
      kindModules: options.crashable === true ? [KINDS_MODULE, CRASHABLE_KINDS_MODULE] : [KINDS_MODULE],
      kindConfig: { unit: { startupMs: 0 }, ...options.kinds, models: { ...MODELS_CONFIG, ...options.models } } satisfies KindsConfig,
      ...(options.snapshotIntervalMs === undefined ? {} : { snapshotIntervalMs: options.snapshotIntervalMs }),
      ...(options.inflightBudget === undefined ? {} : { inflightBudget: options.inflightBudget }),
      log: silentLog,
      outlet: (subject, json) => at.pipeline?.take(subject, json),
    });
    const feed = new ModelFeed({
      system,
      registry,
      sensorFeatures: SENSOR_FEATURES,
      anomalyThreshold: 0.6,
      log: silentLog,
      onRefused: (model, version, code) => at.pipeline?.refused.push({ model, version, code }),
    });
    const pipeline = new ScoringPipeline(system, registry, feed, dir);
    at.pipeline = pipeline;
    await feed.start();
    return pipeline;
  }

  /** A started pipeline with `versions` promoted to Production and on every worker. */
  static async startWith(versions: readonly NewModelVersion[], options: Parameters<typeof ScoringPipeline.start>[0] = {}): Promise<ScoringPipeline> {
    const pipeline = await ScoringPipeline.start(options);
    for (const version of versions) await promote(pipeline.registry, version);
    await pipeline.feed.settled();
    return pipeline;
  }

  get root(): string {
    return this.dir;
  }

  private readonly readings: ProcessedReading[] = [];

  /** The processed readings so far, in the order published. */
  processed(): readonly ProcessedReading[] {
    return this.readings;
  }

  /** The states `unit` published as assessed by its models (method MODEL), oldest first. */
  unitStatesByModel(unit: string): UnitState[] {
    return this.published.map((p) => p.payload as UnitState).filter((s) => s.unit === unit && s.method === "MODEL");
  }

  /** Resolves once `check` holds over what was published. */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  async stop(): Promise<void> {
    // As the node stops: no onnxruntime run may be in flight in a worker that is being terminated.
    await this.feed.drain();
    this.feed.stop();
    await this.system.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private take(subject: string, json: string): void {
    const payload = JSON.parse(json) as unknown;
    if (subject.startsWith("vigil.processed.")) this.readings.push(payload as ProcessedReading);
    else this.published.push({ subject, payload });
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}
