/**
 * The node's models, trainer side (seeding from the baselines is in
 * seed-models.test.ts): promote and rollback through the ModelService,
 * and a node's drift check — a model whose live inputs moved raises the
 * system alarm and starts a retraining. Real node, real embedded history,
 * real filesystem registries.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { simulatedHistory } from "../../src/actors/trainer/index.js";
import { loadConfig } from "../../src/config/index.js";
import { FsModelRegistry, runTrainingJob, type ModelRegistry } from "../../src/ml/index.js";
import { ModelService } from "../../src/node/model-service.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { silentLog } from "../fixtures/actor-system.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BASELINES = fileURLToPath(new URL("../../models", import.meta.url));
const dirs: string[] = [];
let node: RunningNode | undefined;

afterEach(async () => {
  await node?.stop();
  node = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vigil-node-models-"));
  dirs.push(dir);
  return dir;
}

/** A registry holding `versions` small isolation forests of one model (each trained on other rows), the last in Production. */
async function registryWith(root: string, model: string, versions: number): Promise<ModelRegistry> {
  const registry = new FsModelRegistry({ root });
  const by = { who: "spec", why: "fixture" };
  for (let v = 1; v <= versions; v++) {
    const x = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i * v));
    const data = { features: ["a", "b"], rows: 100, x };
    const result = await runTrainingJob({ algorithm: "isolation_forest", task: "anomaly", data, holdout: data, params: { trees: 5, sampleSize: 32 }, seed: v });
    const version = await registry.register(
      { model, algorithm: "isolation_forest", task: "anomaly", features: ["a", "b"], params: {}, metrics: { roc_auc: 0.5 + v / 100 }, trainingWindow: { from: 0, to: v }, dataHash: result.dataHash, seed: v, onnx: result.onnx },
      by,
    );
    await registry.transition(model, version.version, "Staging", by);
    await registry.transition(model, version.version, "Production", by);
  }
  return registry;
}

describe("the model service", () => {
  it("rolls Production back to an earlier version and promotes the later one again, both audited", async () => {
    const registry = await registryWith(tempDir(), "unit_rul", 2);
    const service = new ModelService(registry, new Map());
    await service.rollback("unit_rul", 1, { who: "ann", why: "v2 overestimates" });
    expect((await service.list("unit_rul")).map((v) => v.stage)).toEqual(["Production", "Archived"]);
    await service.promote("unit_rul", 2, { who: "ann", why: "fixed" });
    expect((await service.list("unit_rul")).map((v) => v.stage)).toEqual(["Archived", "Production"]);
    const audit = await service.audit("unit_rul");
    // Entries of one change share a timestamp, so compare them as a set.
    const byAnn = audit.filter((e) => e.who === "ann").map((e) => `v${e.version} ${e.action} → ${e.to}`);
    expect(byAnn.sort()).toEqual(["v1 rollback → Production", "v1 transition → Archived", "v2 rollback → Archived", "v2 transition → Production", "v2 transition → Staging"]);
  });

  it("refuses training a kind this node does not run", () => {
    expect(() => new ModelService(new FsModelRegistry({ root: tempDir() }), new Map()).trainNow("unit_rul")).toThrow(expect.objectContaining({ code: "VIGIL_TRAINING_UNAVAILABLE" }));
  });
});

/** `hour`:00 UTC yesterday. */
const yesterdayAt = (hour: number): number => Math.floor(Date.now() / DAY) * DAY - DAY + hour * HOUR;

/**
 * A node seeded from the checked-in baselines (models/), running the
 * anomaly and unit_state trainers, with the first day of a default
 * `npm start` plant in its history (five units, seed 1, the simulator's
 * random scenarios every 2 minutes, its rare trips) lasting `durationMs`
 * and ending at `end`, values `shift`ed: the drift check's verdict over the
 * last `recentMs`.
 * The day is kept as the baselines were trained on it, the first 5 minutes
 * of every hour at one reading per sensor per second (the plant runs on in
 * between), so the check sees every hour of it.
 */
async function baselineNodeDriftCheck(end: number, shift: (value: number) => number, recentMs = 3 * DAY, durationMs = DAY) {
  const dir = tempDir();
  const config = loadConfig({
    env: {
      VIGIL_RUNTIME_WORKERS: "1",
      VIGIL_SIMULATOR_ENABLED: "false",
      VIGIL_HTTP_ENABLED: "false",
      VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "history.duckdb"),
      VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool"),
      VIGIL_MODELS_REGISTRY_FS_ROOT: join(dir, "models"),
      VIGIL_TRAINING_BASELINE_DIR: BASELINES,
      VIGIL_TRAINING_KINDS: "anomaly,unit_state",
      // A retraining the drift starts reads the last minute only (nothing there): the spec does not wait on a long run.
      VIGIL_TRAINING_WINDOW_MS: String(MINUTE),
      VIGIL_TRAINING_DRIFT_CHECK_EVERY_MS: "0",
      VIGIL_TRAINING_DRIFT_RECENT_MS: String(recentMs),
    },
  });
  node = await startNode(config, { logger: silentLog, registry: new Registry() });
  expect((await node.models.list()).filter((v) => v.model.startsWith("anomaly.") || v.model === "unit_state").every((v) => v.stage === "Production" && v.distribution !== undefined)).toBe(true);
  // The node's first day: its plant started a day before `end`, as the baselines' started at their first hour.
  const plant = simulatedHistory({ mode: "plant", units: 5, seed: 1, startAt: end - durationMs, durationMs, intervalMs: 1000, tripsPerDay: 0.2, randomScenarioEveryMs: 2 * MINUTE, slices: { everyMs: HOUR, keepMs: 5 * MINUTE } });
  const rows = plant.readings.map((r) => ({ ...r, value: shift(r.value) }));
  for (let i = 0; i < rows.length; i += 50_000) await node.history!.store.insertProcessed(rows.slice(i, i + 50_000));
  return node.models.checkDrift();
}

const driftAlarms = async (): Promise<string[]> => (await node!.alarms.list()).filter((a) => a.rule === "system.model_drift").map((a) => `${a.sensor}:${a.state}`).sort();
const DRIFT_MODELS = ["anomaly.flow_rate", "anomaly.power", "anomaly.pressure", "anomaly.temperature", "anomaly.vibration", "unit_state"];

describe("a node's drift check against the seeded baselines", () => {
  it("raises system.model_drift for each model when the live readings moved (every value 20 % higher: a recalibrated instrument)", async () => {
    const findings = await baselineNodeDriftCheck(yesterdayAt(15), (v) => v * 1.2);
    expect(findings.map((f) => [f.model, f.version, f.drifted]).sort()).toEqual(DRIFT_MODELS.map((m) => [m, 1, true]));
    await expect.poll(driftAlarms, { timeout: 10_000 }).toEqual(DRIFT_MODELS.map((m) => `${m}:active_unacknowledged`));
  }, 240_000);

  // The baselines hold every hour of a simulated day (the time of day and weekday are left out of the check), so a default plant's first day ending at
  // these hours is their distribution. Not at every hour: a day ending at 11:00 measured PSI 0.31 on vibration.t60s_mean (anomaly.vibration and
  // unit_state) against these baselines — a unit's vibration follows its wear and its load, and a plant started at 11:00 wears in at peak demand
  // where the baselines' plant, started at midnight, wore in at night. An hour alone of a default plant trips the check (worst PSI 2.9–4.8
  // measured over the hours from 03, 09, 15 and 21 UTC): the level features follow the daily cycle.
  it("skips a day-long check while the history holds only the node's first hours (an hour alone of the daily cycle always looks drifted)", async () => {
    const findings = await baselineNodeDriftCheck(Date.now(), (v) => v, DAY, 2 * HOUR);
    expect(findings).toEqual([]);
    expect(await driftAlarms()).toEqual([]);
  }, 240_000);

  it.each([3, 19])("raises nothing on a default plant's day ending at %i:00 UTC", async (hour) => {
    const findings = await baselineNodeDriftCheck(yesterdayAt(hour), (v) => v);
    expect(findings.map((f) => [f.model, f.version, f.drifted]).sort()).toEqual(DRIFT_MODELS.map((m) => [m, 1, false]));
    for (const f of findings) expect(f.psi).toBeLessThan(0.2);
    expect(await driftAlarms()).toEqual([]);
  }, 240_000);
});

describe("a node's drift check", () => {
  it("raises the system.model_drift alarm for a model whose live inputs moved, and starts a retraining", async () => {
    const dir = tempDir();
    const config = loadConfig({
      env: {
        VIGIL_RUNTIME_WORKERS: "1",
        VIGIL_SIMULATOR_ENABLED: "false",
        VIGIL_HISTORY_EMBEDDED_PATH: join(dir, "history.duckdb"),
        VIGIL_HISTORY_WRITER_SPOOL_DIR: join(dir, "spool"),
        VIGIL_MODELS_REGISTRY_FS_ROOT: join(dir, "models"),
        VIGIL_TRAINING_BASELINE_DIR: join(dir, "no-baselines"),
        VIGIL_TRAINING_KINDS: "unit_state",
        VIGIL_TRAINING_DRIFT_CHECK_EVERY_MS: "0",
        VIGIL_TRAINING_DRIFT_RECENT_MS: String(5 * MINUTE),
      },
    });
    node = await startNode(config, { logger: silentLog, registry: new Registry() });
    const store = node.history!.store;
    const now = Date.now();
    // 20 minutes of plant history ending 10 minutes ago: the training data. Frequent trips, so every 20 minutes of the day hold closed state spans
    // (the labeller stores a state only once it has ended; at some hours a quieter plant changes state in no unit and there is nothing to train on).
    const past = simulatedHistory({ mode: "plant", units: 3, seed: 1, startAt: now - 30 * MINUTE, durationMs: 20 * MINUTE, intervalMs: 1000, tripsPerDay: 200 });
    await store.insertProcessed(past.readings);
    await store.insertLabels(past.labels);
    const job = node.models.trainNow("unit_state");
    await expect.poll(() => node!.models.statusOf("unit_state").lastResult?.jobId, { timeout: 60_000 }).toBe(job.jobId);
    expect((await node.models.list("unit_state")).map((v) => v.stage)).toEqual(["Production"]);
    // The last 5 minutes: the same plant with every value doubled (a recalibrated instrument, a changed process).
    const recent = simulatedHistory({ mode: "plant", units: 3, seed: 2, startAt: now - 5 * MINUTE, durationMs: 5 * MINUTE, intervalMs: 1000 });
    await store.insertProcessed(recent.readings.map((r) => ({ ...r, value: r.value * 2 })));

    const findings = await node.models.checkDrift();
    expect(findings).toEqual([expect.objectContaining({ model: "unit_state", version: 1, drifted: true })]);
    expect(findings[0]?.retraining).toMatch(/^started train-unit_state-/);
    expect(findings[0]?.psi).toBeGreaterThan(0.2);
    await expect
      .poll(async () => (await node!.alarms.list()).filter((a) => a.rule === "system.model_drift").map((a) => [a.sensor, a.state]), { timeout: 10_000 })
      .toEqual([["unit_state", "active_unacknowledged"]]);
    await expect.poll(() => node!.models.statusOf("unit_state").lastResult?.trigger, { timeout: 60_000 }).toMatch(/^drift: unit_state /);
  }, 120_000);
});
