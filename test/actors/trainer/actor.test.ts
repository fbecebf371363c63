/**
 * The trainer actor: `trainer/<kind>` hosted on the calling thread of a
 * real actor system beside its shard worker, over a real embedded history
 * filled by the simulator and a filesystem registry; training in a real
 * piscina pool where the spec is about producing a version.
 */
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TrainerRef, trainerAddress, trainerKind, type RunFinished, type Trainer, type TrainerActorOptions, type TrainingStatus } from "../../../src/actors/trainer/index.js";
import { runTrainingJob, TrainingPool, type ModelRegistry, type TrainingJob, type TrainingResult } from "../../../src/ml/index.js";
import { createActorSystem, VigilError, type ActorSystem, type RuntimeEvent } from "../../../src/runtime/index.js";
import type { HistoryStore } from "../../../src/store/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { filledStore, MINUTE, removeDirs, T0, tempRegistry, trainer } from "./fixture.js";

const RUNTIME_KINDS = fileURLToPath(new URL("../../fixtures/kinds.ts", import.meta.url));
const NOW = T0 + 20 * MINUTE;
const STATE = trainerAddress("unit_state");
const dirs: string[] = [];
let plant: HistoryStore;
let system: ActorSystem | undefined;

beforeAll(async () => {
  plant = await filledStore({ mode: "plant", units: 3, seed: 1, durationMs: 20 * MINUTE, intervalMs: 1000 });
}, 120_000);
afterAll(async () => {
  await plant.close();
  removeDirs(dirs);
});
afterEach(async () => {
  await system?.stop();
  system = undefined;
});

/** Runs as they finish, in order: a spec waits for the next one instead of polling. */
class Runs {
  private readonly done: RunFinished[] = [];
  private waiting: ((run: RunFinished) => void)[] = [];

  take(run: RunFinished): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(run);
    else this.done.push(run);
  }

  next(): Promise<RunFinished> {
    const run = this.done.shift();
    return run !== undefined ? Promise.resolve(run) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** A system with one shard worker and the unit_state trainer actor on this thread; `onRun` sees each run after the spec's Runs. */
async function start(registry: ModelRegistry, train: (job: TrainingJob) => Promise<TrainingResult>, onRun?: TrainerActorOptions["onRun"]) {
  const s = await createActorSystem({ workers: 1, kindModules: [RUNTIME_KINDS], log: silentLog });
  system = s;
  const events: RuntimeEvent[] = [];
  s.onEvent((e) => events.push(e));
  const runs = new Runs();
  const ref = new TrainerRef(s, "unit_state");
  s.hostHere([
    trainerKind({
      trainerOf: (kind): Trainer | undefined => (kind === "unit_state" ? trainer(kind, plant, registry, { now: NOW, train }) : undefined),
      report: (status) => ref.report(status),
      onRun: (kind, run) => {
        runs.take(run);
        onRun?.(kind, run);
      },
    }),
  ]);
  await ref.start();
  return { system: s, ref, runs, events };
}

describe("a trainer actor", () => {
  it("is an actor of the system: trainer/<kind> on the calling thread beside the workers, answering status and counted in the system's stats", async () => {
    const { system: s } = await start(tempRegistry(dirs), runTrainingJob);
    expect(await s.ask<TrainingStatus>(STATE, { type: "status" })).toMatchObject({ kind: "unit_state", state: "idle", jobId: null, lastResult: null });
    const stats = await s.stats();
    expect(stats.workers).toBe(1);
    expect(stats.kinds["trainer"]).toMatchObject({ activations: 1, processed: 2, failures: 0 });
    expect(stats.here).toMatchObject({ activeActors: 1 });
    // The shard worker knows nothing of it: it lives on this thread only.
    expect(stats.shards[0]?.activeActors).toBe(0);
  });

  it("trains on train-now in the training pool, answering status while the run is under way, and registers the version", async () => {
    const registry = tempRegistry(dirs);
    const pool = new TrainingPool({ threads: 1 });
    try {
      const { system: s, ref, runs } = await start(registry, (job) => pool.run(job));
      // Both in the mailbox before either is handled: the status is answered right after the run starts.
      const started = s.ask<{ jobId: string }>(STATE, { type: "train-now", trigger: "spec" });
      const during = s.ask<TrainingStatus>(STATE, { type: "status" });
      const { jobId } = await started;
      expect(await during).toMatchObject({ state: "running", jobId });
      const run = await runs.next();
      expect(run.jobId).toBe(jobId);
      expect(run.result?.models).toEqual([expect.objectContaining({ model: "unit_state", version: 1, stage: "Production" })]);
      expect((await registry.production("unit_state"))?.version).toBe(1);
      expect(ref.status()).toMatchObject({ state: "idle", jobId: null, lastError: null, lastResult: { jobId } });
    } finally {
      await pool.close();
    }
  }, 120_000);

  it("reports a training run that crashed as failed, with its error code, and keeps serving: the next run trains", async () => {
    const registry = tempRegistry(dirs);
    let crashes = 1;
    const train = (job: TrainingJob): Promise<TrainingResult> =>
      crashes-- > 0 ? Promise.reject(new VigilError("VIGIL_ML_TRAINING_FAILED", "the training worker died")) : runTrainingJob(job);
    const { ref, runs } = await start(registry, train);
    const first = ref.trainNow("spec");
    expect((await runs.next()).jobId).toBe(first.jobId);
    expect(ref.status()).toMatchObject({ state: "idle", lastError: { jobId: first.jobId, code: "VIGIL_ML_TRAINING_FAILED" }, lastResult: { jobId: first.jobId, models: [] } });

    const second = ref.trainNow("spec again");
    expect(second.jobId).not.toBe(first.jobId);
    expect((await runs.next()).result?.models).toEqual([expect.objectContaining({ model: "unit_state", version: 1 })]);
    expect(ref.status()).toMatchObject({ lastError: null, lastResult: { jobId: second.jobId } });
  }, 120_000);

  it("fails, is restarted by its supervisor from its snapshot, reports the run it lost track of as VIGIL_TRAINING_INTERRUPTED, and trains again", async () => {
    const registry = tempRegistry(dirs);
    let failures = 1;
    const { system: s, ref, runs, events } = await start(registry, runTrainingJob, () => {
      if (failures-- > 0) throw new Error("recording the run's outcome failed");
    });
    const lost = ref.trainNow("spec");
    await runs.next(); // its outcome reached the actor, which failed on it
    // Asked after the failure: waits in the mailbox through the restart.
    const restarted = await s.ask<TrainingStatus>(STATE, { type: "status" });
    expect(events.filter((e) => e.type === "actor-failed")).toEqual([expect.objectContaining({ address: STATE, decision: "restart" })]);
    expect((await s.stats()).kinds["trainer"]).toMatchObject({ failures: 1, restarts: 1 });
    expect(restarted).toMatchObject({ state: "idle", jobId: null, lastError: { jobId: lost.jobId, code: "VIGIL_TRAINING_INTERRUPTED" } });
    expect(ref.status()).toEqual(restarted);

    const again = ref.trainNow("after the restart");
    const run = await runs.next();
    expect(run.jobId).toBe(again.jobId);
    // The lost run's version was registered all the same: this one is the second.
    expect(run.result?.models).toEqual([expect.objectContaining({ model: "unit_state", version: 2 })]);
    expect(ref.status()).toMatchObject({ lastError: null, lastResult: { jobId: again.jobId } });
  }, 120_000);
});
