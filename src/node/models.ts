/**
 * The node's models, trainer side: seeds the registry from the checked-in
 * baselines at every start (so a fresh node scores with models from its
 * first reading, and an upgrade's baselines replace the old ones), hosts one
 * trainer actor per configured kind on the main thread of the node's actor
 * system (trainer/<kind>, over the node's history with
 * a piscina training pool; each keeps its own cron schedule), runs the
 * periodic drift check through them (a drifted model raises the system
 * alarm system.model_drift and starts a retraining; the alarm clears once
 * the model no longer drifts), and feeds the simulator's ground truth into
 * history as labels. The ModelService it returns is what the HTTP API calls.
 *
 * The registry is opened by the caller (src/node/start.ts) and shared with
 * the scoring side; this module only registers, promotes and reads.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { AlarmService } from "../actors/alarm/index.js";
import { resolveSensorTypes } from "../actors/index.js";
import { featureSpecOf, resolveSensorSettings } from "../actors/sensor/index.js";
import type { SimulatorRunner } from "../actors/simulator/index.js";
import { Trainer, TrainerRef, trainerKind, TruthLabeller, type DriftFinding, type TrainerKind } from "../actors/trainer/index.js";
import type { VigilConfig } from "../config/index.js";
import { TrainingPool, type ModelRegistry } from "../ml/index.js";
import { MODEL_DRIFT_RULE_ID } from "../rules/index.js";
import type { ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import type { HistoryStore, HistoryWriter } from "../store/index.js";
import { ModelService } from "./model-service.js";
import { seedRegistry } from "./seed-models.js";

export interface NodeModelsOptions {
  readonly config: VigilConfig;
  /** Hosts the trainer actors on its calling thread. */
  readonly system: ActorSystem;
  readonly registry: ModelRegistry;
  /** Without history there is nothing to train on: the service lists, promotes and rolls back only. */
  readonly history: { readonly store: HistoryStore; readonly writer: HistoryWriter } | undefined;
  readonly alarms: AlarmService;
  readonly logger: Logger;
  readonly metrics: Registry;
}

export interface NodeModels {
  readonly service: ModelService;
  /** Writes the simulator's ground truth into history as labels as the simulation runs (no-op without history). */
  feedSimulatorLabels(runner: SimulatorRunner): void;
  stop(): Promise<void>;
}

/** How often closed ground-truth spans go to history. */
const LABEL_FEED_MS = 10_000;

export async function startNodeModels(o: NodeModelsOptions): Promise<NodeModels> {
  const log = o.logger.child({ part: "models" });
  const training = o.config.training;
  await seedRegistry(o.registry, training.baselineDir, log);
  const runs = new Counter({ name: "vigil_training_runs_total", help: "Training runs finished, by trainer kind and result", labelNames: ["kind", "result"], registers: [o.metrics] });
  const driftGauge = new Gauge({ name: "vigil_model_drift_psi", help: "Largest population stability index of a Production model's features at the last drift check", labelNames: ["model"], registers: [o.metrics] });

  const trainers = new Map<TrainerKind, TrainerRef>();
  const pool = training.enabled && o.history !== undefined ? new TrainingPool({ threads: training.threads }) : undefined;
  const alarmed = new Set<string>();
  if (pool !== undefined && o.history !== undefined) {
    const history = o.history.store;
    const spec = featureSpecOf(resolveSensorSettings(o.config.pipeline.sensor));
    const sensorTypes = resolveSensorTypes(o.config.pipeline.sensorTypes);
    const kinds = new Set(training.kinds);
    o.system.hostHere([
      trainerKind({
        trainerOf: (kind) =>
          kinds.has(kind)
            ? new Trainer({
                kind,
                history,
                registry: o.registry,
                train: async (job) => pool.run(job),
                spec,
                sensorTypes,
                settings: training,
                log,
                onDrift: (f: DriftFinding) => {
                  alarmed.add(f.model);
                  o.alarms.systemAlarm(MODEL_DRIFT_RULE_ID, f.model, true, Number(f.psi.toFixed(3)));
                },
              })
            : undefined,
        ...(training.schedule === undefined ? {} : { schedule: training.schedule }),
        report: (status) => trainers.get(status.kind)?.report(status),
        onRun: (kind, run) => runs.inc({ kind, result: run.result !== undefined && run.result.models.length > 0 ? "ok" : "failed" }),
      }),
    ]);
    for (const kind of kinds) trainers.set(kind, new TrainerRef(o.system, kind));
    await Promise.all([...trainers.values()].map((t) => t.start()));
  }

  const checkDrift = async (): Promise<DriftFinding[]> => {
    const all: DriftFinding[] = [];
    for (const trainer of trainers.values()) {
      try {
        for (const f of await trainer.checkDrift()) {
          all.push(f);
          driftGauge.set({ model: f.model }, f.psi);
          if (!f.drifted && alarmed.delete(f.model)) o.alarms.systemAlarm(MODEL_DRIFT_RULE_ID, f.model, false, Number(f.psi.toFixed(3)));
        }
      } catch (err) {
        log.warn({ err, kind: trainer.kind }, "drift check failed; it runs again later");
      }
    }
    return all;
  };
  // One check at a time, whether from the timer or the service.
  let checking: Promise<unknown> = Promise.resolve();
  const checkDriftOnce = (): Promise<DriftFinding[]> => {
    const run = checking.then(checkDrift, checkDrift);
    checking = run;
    return run;
  };
  const service = new ModelService(o.registry, trainers, checkDriftOnce);
  const timers: NodeJS.Timeout[] = [];
  const feeds: (() => void)[] = [];
  if (trainers.size > 0 && training.drift.checkEveryMs > 0) {
    const timer = setInterval(() => void checkDriftOnce(), training.drift.checkEveryMs);
    timer.unref();
    timers.push(timer);
  }

  return {
    service,
    feedSimulatorLabels(runner) {
      const writer = o.history?.writer;
      if (writer === undefined) return;
      const labeller = new TruthLabeller(runner.truth, o.config.simulator.intervalMs);
      const feed = (): void => {
        for (const row of labeller.take(Date.now())) writer.writeLabel(row);
      };
      const timer = setInterval(feed, LABEL_FEED_MS);
      timer.unref();
      timers.push(timer);
      feeds.push(feed);
    },
    async stop() {
      for (const t of timers.splice(0)) clearInterval(t);
      for (const feed of feeds.splice(0)) feed(); // what closed since the last feed; history stops after this
      await checking;
      await Promise.all([...trainers.values()].map((t) => t.windDown()));
      await pool?.close();
    },
  };
}
