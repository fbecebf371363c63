/**
 * Trainer actors end to end: simulator data in a real history store, the
 * kind's rows, training, registration and the promotion rule, with quality
 * floors on the simulator's ground truth. Each floor sits under the figure
 * measured with these exact settings (everything is seeded), written next
 * to it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TrainingPool } from "../../../src/ml/index.js";
import type { HistoryStore } from "../../../src/store/index.js";
import { filledStore, MINUTE, removeDirs, T0, tempRegistry, trainer } from "./fixture.js";

const dirs: string[] = [];
let plant: HistoryStore;
let fleet: HistoryStore;
// 5 plant units for 40 minutes at one reading per sensor per second, a 2-minute fault every 4 minutes.
const PLANT_END = T0 + 40 * MINUTE;
// 10 engines run to failure at one cycle per second for 10 minutes (600 cycles each).
const FLEET_END = T0 + 10 * MINUTE;

beforeAll(async () => {
  plant = await filledStore({ mode: "plant", units: 5, seed: 1, durationMs: 40 * MINUTE, intervalMs: 1000, faultEveryMs: 4 * MINUTE });
  fleet = await filledStore({ mode: "run-to-failure", units: 10, seed: 1, durationMs: 10 * MINUTE, intervalMs: 1000 });
}, 120_000);
afterAll(async () => {
  await plant.close();
  await fleet.close();
  removeDirs(dirs);
});

describe("a trainer run from a history store filled by the simulator", () => {
  it("trains one isolation forest per sensor type, promotes each (nothing was in Production) and ranks injected faults high", async () => {
    const registry = tempRegistry(dirs);
    const pool = new TrainingPool({ threads: 1 });
    try {
      const result = await trainer("anomaly", plant, registry, { now: PLANT_END, train: (job) => pool.run(job) }).trainNow("spec").done;
      expect(result.failures).toEqual([]);
      expect(result.models.map((m) => m.model)).toEqual(["anomaly.flow_rate", "anomaly.power", "anomaly.pressure", "anomaly.temperature", "anomaly.vibration"]);
      for (const m of result.models) expect(m).toMatchObject({ stage: "Production", promoted: true, version: 1 });
      // Measured ROC-AUC: flow_rate 0.953, power 0.897, pressure 0.954, temperature 0.957, vibration 0.991 (spread, slope and the 60-second level: anomalyFeatureNames).
      for (const m of result.models) expect(m.metrics["roc_auc"]).toBeGreaterThan(0.87);
      const audit = await registry.audit("anomaly.temperature");
      expect(audit.map((e) => [e.action, e.to, e.who])).toEqual([
        ["register", "None", "trainer/anomaly"],
        ["transition", "Staging", "trainer/anomaly"],
        ["transition", "Production", "trainer/anomaly"],
      ]);
      expect(audit[2]?.why).toMatch(/^first model: nothing in Production/);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it("learns the seven-state classifier from the simulator's state labels (weighted F1)", async () => {
    const result = await trainer("unit_state", plant, tempRegistry(dirs), { now: PLANT_END }).trainNow("spec").done;
    expect(result.failures).toEqual([]);
    const [m] = result.models;
    expect(m?.model).toBe("unit_state");
    // Measured weighted F1 0.984 (accuracy 0.985; 8,966 rows, 2,989 held out), with the states still open at the history's end labelled (0.870 when they were not).
    expect(m?.metrics["weighted_f1"]).toBeGreaterThan(0.93);
  }, 120_000);

  it("learns remaining useful life in operating hours from run-to-failure units (RMSE, NASA score)", async () => {
    const result = await trainer("unit_rul", fleet, tempRegistry(dirs), { now: FLEET_END }).trainNow("spec").done;
    expect(result.failures).toEqual([]);
    const [m] = result.models;
    expect(m?.model).toBe("unit_rul");
    // Measured RMSE 66.9 operating hours (MAE 46.1) on lives of roughly 100 to 900 hours.
    expect(m?.metrics["rmse"]).toBeLessThan(75);
    expect(m?.metrics).toHaveProperty("nasa_score");
  }, 120_000);

  it("says why a kind cannot train when history has nothing for it", async () => {
    const result = await trainer("solar_forecast", plant, tempRegistry(dirs), { now: PLANT_END }).trainNow("spec").done;
    expect(result.models).toEqual([]);
    expect(result.failures).toEqual([expect.objectContaining({ model: "solar_forecast", code: "VIGIL_TRAINING_NO_DATA" })]);
  });
});

describe("the promotion rule", () => {
  it("replaces Production with a new version better by at least the margin", async () => {
    const registry = tempRegistry(dirs);
    // Trained on the first 8 minutes only, mostly start-up: a weak model to beat.
    const weak = await trainer("unit_state", plant, registry, { now: T0 + 8 * MINUTE }).trainNow("spec").done;
    expect(weak.models[0]).toMatchObject({ version: 1, stage: "Production" });
    const better = await trainer("unit_state", plant, registry, { now: PLANT_END }).trainNow("spec").done;
    expect(better.models[0]).toMatchObject({ version: 2, stage: "Production", promoted: true });
    expect(better.models[0]?.reason).toMatch(/^promoted: weighted_f1 [\d.]+ vs [\d.]+ for Production v1 on the same holdout/);
    expect((await registry.get("unit_state", 1)).stage).toBe("Archived");
  }, 120_000);

  it("keeps a new version that is not better by the margin in Staging, the comparison in the audit", async () => {
    const registry = tempRegistry(dirs);
    await trainer("unit_state", plant, registry, { now: PLANT_END }).trainNow("spec").done;
    // The same window and seed train the same model again: equal, so not 5 % better.
    const again = await trainer("unit_state", plant, registry, { now: PLANT_END }).trainNow("spec").done;
    expect(again.models[0]).toMatchObject({ version: 2, stage: "Staging", promoted: false });
    expect((await registry.production("unit_state"))?.version).toBe(1);
    const staged = (await registry.audit("unit_state")).filter((e) => e.version === 2 && e.to === "Staging");
    expect(staged.map((e) => e.who)).toEqual(["trainer/unit_state"]);
    expect(staged[0]?.why).toMatch(/^not promoted: weighted_f1 ([\d.]+) vs \1 for Production v1 .*needs >= /);
  }, 120_000);

  it("joins a run asked for while one is under way instead of starting a second", async () => {
    const t = trainer("solar_forecast", plant, tempRegistry(dirs), { now: PLANT_END });
    const first = t.trainNow("spec");
    const second = t.trainNow("spec again");
    expect(second.jobId).toBe(first.jobId);
    expect(t.status()).toMatchObject({ state: "running", jobId: first.jobId });
    await first.done;
    expect(t.status()).toMatchObject({ state: "idle", jobId: null, lastError: { jobId: first.jobId, code: "VIGIL_TRAINING_NO_DATA" }, lastResult: { jobId: first.jobId } });
  });
});

