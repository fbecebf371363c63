/**
 * The trainer's drift check and the retraining it starts: a real history
 * store holding 20 minutes of the simulated plant and then 20 minutes with
 * every value doubled (a recalibrated instrument), a filesystem registry,
 * and the trainer's clock moved by the spec. The promotion margin is out of
 * reach, so every retrained candidate stays in Staging and Production keeps
 * drifting — the case where a retraining per check would never end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatedHistory, type DriftFinding } from "../../../src/actors/trainer/index.js";
import type { HistoryStore } from "../../../src/store/index.js";
import { filledStore, MINUTE, removeDirs, SETTINGS, T0, tempRegistry, trainer } from "./fixture.js";

const dirs: string[] = [];
let store: HistoryStore;
const DRIFT_FROM = T0 + 20 * MINUTE;

beforeAll(async () => {
  store = await filledStore({ mode: "plant", units: 3, seed: 1, durationMs: 20 * MINUTE, intervalMs: 1000, faultEveryMs: 4 * MINUTE });
  const moved = simulatedHistory({ mode: "plant", units: 3, seed: 2, startAt: DRIFT_FROM, durationMs: 20 * MINUTE, intervalMs: 1000 });
  await store.insertProcessed(moved.readings.map((r) => ({ ...r, value: r.value * 2 })));
}, 120_000);
afterAll(async () => {
  await store.close();
  removeDirs(dirs);
});

/** unit_state v1 in Production and v2 (the same data, so not better) in Staging, trained before the drift; then a drift check 10 minutes into it. */
async function driftedOnce() {
  const registry = tempRegistry(dirs);
  const clock = { now: DRIFT_FROM };
  const alarms: DriftFinding[] = [];
  const t = trainer("unit_state", store, registry, { now: () => clock.now, settings: { ...SETTINGS, promotionMargin: 10 }, onDrift: (f) => alarms.push(f) });
  await t.trainNow("spec").done;
  await t.trainNow("spec").done;
  clock.now = DRIFT_FROM + 10 * MINUTE; // SETTINGS.drift.recentMs: the check sees moved readings only
  const first = await t.checkDrift();
  const retraining = await t.current()?.done;
  return { t, registry, clock, alarms, first, retraining };
}

describe("the drift retraining", () => {
  it("starts for a drifted Production model, and the candidate it trains stays in Staging when not better", async () => {
    const { first, retraining, registry } = await driftedOnce();
    expect(first).toEqual([expect.objectContaining({ model: "unit_state", version: 1, drifted: true, retrainedAt: DRIFT_FROM + 10 * MINUTE, retraining: `started ${retraining?.jobId}` })]);
    expect(retraining?.trigger).toMatch(/^drift: unit_state /);
    expect(retraining?.models).toEqual([expect.objectContaining({ version: 3, stage: "Staging", promoted: false })]);
    expect((await registry.production("unit_state"))?.version).toBe(1);
  }, 180_000);

  it("is not started again at the next check while the same version drifts, the drift still reported to the alarm", async () => {
    const { t, clock, alarms, retraining } = await driftedOnce();
    clock.now += 5 * MINUTE;
    const second = await t.checkDrift();
    expect(t.current()).toBeUndefined();
    expect(t.status().lastResult?.jobId).toBe(retraining?.jobId);
    expect(second).toEqual([expect.objectContaining({ version: 1, drifted: true, retrainedAt: DRIFT_FROM + 10 * MINUTE })]);
    expect(second[0]?.retraining).toMatch(/^skipped: v1 was retrained for this drift at .*; again when Production changes or from /);
    expect(alarms.map((f) => [f.model, f.at])).toEqual([
      ["unit_state", DRIFT_FROM + 10 * MINUTE],
      ["unit_state", DRIFT_FROM + 15 * MINUTE],
    ]);
  }, 180_000);

  it("starts again once another version is in Production and drifts", async () => {
    const { t, clock, registry } = await driftedOnce();
    await registry.transition("unit_state", 2, "Production", { who: "spec", why: "an operator's choice" });
    clock.now += 5 * MINUTE;
    const findings = await t.checkDrift();
    const job = t.current();
    expect(findings).toEqual([expect.objectContaining({ version: 2, drifted: true, retrainedAt: clock.now, retraining: `started ${job?.jobId}` })]);
    await job?.done;
  }, 180_000);

  it("starts again once the drift window has passed since the last drift retraining: every row it measured is new", async () => {
    const { t, clock } = await driftedOnce();
    clock.now += SETTINGS.drift.recentMs;
    const findings = await t.checkDrift();
    const job = t.current();
    expect(findings).toEqual([expect.objectContaining({ version: 1, drifted: true, retrainedAt: clock.now, retraining: `started ${job?.jobId}` })]);
    expect((await job?.done)?.trigger).toMatch(/^drift: unit_state /);
  }, 180_000);
});
