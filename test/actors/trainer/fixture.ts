/**
 * A real embedded history store (DuckDB, in memory) filled by the simulator
 * — readings and its ground truth as labels — and trainers over it with a
 * filesystem registry in a temporary directory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { resolveSensorTypes } from "../../../src/actors/index.js";
import { featureSpecOf, resolveSensorSettings } from "../../../src/actors/sensor/index.js";
import { simulatedHistory, Trainer, type SimulatedHistoryOptions, type TrainerKind, type TrainerOptions, type TrainerSettings } from "../../../src/actors/trainer/index.js";
import { FsModelRegistry, runTrainingJob, type ModelRegistry } from "../../../src/ml/index.js";
import { IN_MEMORY, openEmbeddedHistoryStore } from "../../../src/store/embedded/index.js";
import type { HistoryStore } from "../../../src/store/index.js";

export const T0 = Date.UTC(2026, 0, 5);
export const MINUTE = 60_000;

export async function filledStore(...runs: Omit<SimulatedHistoryOptions, "startAt">[]): Promise<HistoryStore> {
  const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
  await store.migrate();
  for (const run of runs) {
    const h = simulatedHistory({ ...run, startAt: T0 });
    for (let i = 0; i < h.readings.length; i += 50_000) await store.insertProcessed(h.readings.slice(i, i + 50_000));
    await store.insertLabels(h.labels);
  }
  return store;
}

export function tempRegistry(dirs: string[]): FsModelRegistry {
  const root = mkdtempSync(join(tmpdir(), "vigil-trainer-"));
  dirs.push(root);
  return new FsModelRegistry({ root });
}

export function removeDirs(dirs: string[]): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export const SETTINGS: TrainerSettings = {
  windowMs: 7 * 24 * 60 * MINUTE,
  maxRows: 50_000,
  holdoutFraction: 0.25,
  promotionMargin: 0.05,
  seed: 1,
  drift: { threshold: 0.2, recentMs: 10 * MINUTE },
};

/** `now`: a fixed time, or a clock the spec moves. */
export function trainer(kind: TrainerKind, history: HistoryStore, registry: ModelRegistry, o: { now: number | (() => number) } & Partial<Omit<TrainerOptions, "now">>): Trainer {
  const now = o.now;
  return new Trainer({
    kind,
    history,
    registry,
    train: runTrainingJob,
    spec: featureSpecOf(resolveSensorSettings(undefined)),
    sensorTypes: resolveSensorTypes(undefined),
    settings: SETTINGS,
    log: pino({ level: "silent" }),
    ...o,
    now: typeof now === "number" ? () => now : now,
  });
}
