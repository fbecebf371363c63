/**
 * Scoring through the actors: readings told to sensor actors on a real
 * actor system with shard workers (the node's kinds, models on), counted
 * when their processed reading reaches the main thread's outlet. Two runs
 * in the same process, one after the other:
 *
 * - rules: no model in the registry, so every reading is scored by the
 *   statistical detector and the rules (method RULES) — the baseline;
 * - model: the given anomaly model in Production as `anomaly.temperature`,
 *   fed to every worker: each reading's features go through the worker's
 *   micro-batcher and onnxruntime session (method MODEL).
 *
 * `actor_model_scored_readings_per_s` is the model run's throughput with
 * the rules run's as its baseline; `actor_model_latency_p99_ms` the p99 of
 * (outlet arrival − told) at half the model run's throughput, paced in
 * 10 ms ticks, with the rules path's p99 at the same pace as its baseline.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { KindsConfig } from "../../src/actors/kinds.js";
import { defaults } from "../../src/config/index.js";
import { ModelFeed } from "../../src/actors/models/index.js";
import { sensorAddress, type Reading } from "../../src/actors/readings/index.js";
import { featureSpecOf, resolveSensorSettings } from "../../src/actors/sensor/index.js";
import { featureNames, FsModelRegistry, type NewModelVersion } from "../../src/ml/index.js";
import { createActorSystem, type ActorSystem } from "../../src/runtime/index.js";
import { reportFigure } from "../report.js";

const KINDS_MODULE = new URL("../../src/actors/kinds.ts", import.meta.url).pathname;
const WORKERS = 2;
const SENSORS = 2_000;
const BY = { who: "bench", why: "actor scoring" };
const log = pino({ level: "silent" });
// The node's batch size and flush rule (defaults.models.scoring); a deeper queue than its default, so the
// throughput run measures model scoring rather than how soon an overloaded queue falls back to rules.
const { batchRows, flushMs } = defaults.models.scoring;
const MODELS: NonNullable<KindsConfig["models"]> = { batchRows, flushMs, maxQueuedRows: 1 << 16, healthyRulHours: 500 };

export interface ActorScoringScale {
  /** Readings per throughput run. */
  readonly readings: number;
  /** Length of each paced latency run. */
  readonly pacedMs: number;
}

interface Rig {
  system: ActorSystem;
  feed: ModelFeed;
  /** Processed readings seen at the outlet, and latencies sampled there. */
  seen: number;
  latencies: number[] | undefined;
  stop(): Promise<void>;
}

async function startRig(model: NewModelVersion | undefined): Promise<Rig> {
  const root = await mkdtemp(path.join(tmpdir(), "vigil-bench-models-"));
  const registry = new FsModelRegistry({ root });
  if (model !== undefined) {
    const v = await registry.register(model, BY);
    await registry.transition(v.model, v.version, "Staging", BY);
    await registry.transition(v.model, v.version, "Production", BY);
  }
  const rig = { seen: 0, latencies: undefined } as Rig;
  rig.system = await createActorSystem({
    workers: WORKERS,
    kindModules: [KINDS_MODULE],
    kindConfig: { models: MODELS } satisfies KindsConfig,
    log,
    outlet: (subject, json) => {
      if (!subject.startsWith("vigil.processed.")) return;
      rig.seen++;
      if (rig.latencies !== undefined && (rig.seen & 7) === 0) {
        // receivedAt is when the reading was told; reading it without JSON.parse keeps the outlet cheap.
        const at = json.indexOf('"receivedAt":') + 13;
        rig.latencies.push(performance.now() + performance.timeOrigin - Number(json.slice(at, json.indexOf(",", at))));
      }
    },
  });
  rig.feed = new ModelFeed({ system: rig.system, registry, sensorFeatures: featureNames(featureSpecOf(resolveSensorSettings(undefined))), anomalyThreshold: 0.6, log });
  await rig.feed.start();
  if (model !== undefined && rig.feed.current().get(model.model) === undefined) throw new Error(`${model.model} was refused: the model run would measure the rules`);
  rig.stop = async () => {
    rig.feed.stop();
    await rig.system.stop();
    await rm(root, { recursive: true, force: true });
  };
  return rig;
}

/** Tells readings [from, to); waits only when a worker refuses (its in-flight budget is full). */
async function tell(rig: Rig, from: number, to: number, t0: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const s = i % SENSORS;
    const unit = `U${s}`;
    const r: Reading = { unit, sensor: "temperature", value: 20 + Math.sin(i * 0.37) * 0.5, quality: "GOOD", ts: t0 + Math.floor(i / SENSORS) * 1000, source: "simulator", receivedAt: performance.now() + performance.timeOrigin };
    const address = sensorAddress(unit, "temperature");
    while (!rig.system.tell(address, r)) await rig.system.whenWritable(address);
  }
}

async function until(rig: Rig, count: number): Promise<void> {
  while (rig.seen < count) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Readings per second through the actors, warm (every sensor active first). */
async function throughput(rig: Rig, readings: number, t0: number): Promise<number> {
  const warm = SENSORS * 5;
  await tell(rig, 0, warm, t0);
  await until(rig, warm);
  const start = performance.now();
  await tell(rig, warm, warm + readings, t0);
  await until(rig, warm + readings);
  return readings / ((performance.now() - start) / 1000);
}

/** p99 of told → outlet at `rate` readings/s, told in 10 ms ticks, for `ms`. */
async function pacedP99(rig: Rig, rate: number, ms: number, from: number, t0: number): Promise<number> {
  rig.latencies = [];
  const perTick = Math.max(1, Math.round(rate / 100));
  const start = performance.now();
  let i = from;
  while (performance.now() - start < ms) {
    await tell(rig, i, i + perTick, t0);
    i += perTick;
    const next = start + ((i - from) / perTick) * 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await until(rig, i);
  const sorted = rig.latencies.sort((a, b) => a - b);
  rig.latencies = undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? Number.NaN;
}

export async function benchActorScoring(suite: string, model: NewModelVersion, scale: ActorScoringScale): Promise<void> {
  const t0 = Date.UTC(2024, 0, 1);
  const conditions = { workers: WORKERS, sensors: SENSORS, readings: scale.readings, batch_rows: MODELS.batchRows, flush_ms: MODELS.flushMs, model: `${model.algorithm} ${model.task}` };
  const rates: Record<"rules" | "model", number> = { rules: 0, model: 0 };
  const rigs: Record<"rules" | "model", Rig | undefined> = { rules: undefined, model: undefined };
  try {
    for (const path of ["rules", "model"] as const) {
      progress(`through the actors (${path}): ${scale.readings} readings over ${SENSORS} sensors on ${WORKERS} workers`);
      const rig = (rigs[path] = await startRig(path === "model" ? model : undefined));
      rates[path] = await throughput(rig, scale.readings, t0);
    }
    reportFigure({
      suite,
      metric: "actor_model_scored_readings_per_s",
      value: Math.round(rates.model),
      unit: "1/s",
      conditions,
      baseline: "rules path (no model: statistical detector and rules, method RULES)",
      baseline_value: Math.round(rates.rules),
    });
    const pace = rates.model / 2;
    const p99: Record<"rules" | "model", number> = { rules: 0, model: 0 };
    for (const path of ["rules", "model"] as const) {
      progress(`latency (${path}) at ${Math.round(pace)} readings/s for ${scale.pacedMs} ms`);
      const rig = rigs[path] as Rig;
      p99[path] = await pacedP99(rig, pace, scale.pacedMs, rig.seen, t0 + 86_400_000);
    }
    reportFigure({
      suite,
      metric: "actor_model_latency_p99_ms",
      value: Math.round(p99.model * 100) / 100,
      unit: "ms",
      conditions: { ...conditions, paced_readings_per_s: Math.round(pace) },
      baseline: "rules path at the same pace",
      baseline_value: Math.round(p99.rules * 100) / 100,
    });
  } finally {
    for (const rig of Object.values(rigs)) await rig?.stop();
  }
}

function progress(message: string): void {
  process.stderr.write(`[ml] ${message}\n`);
}
