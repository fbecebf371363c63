/**
 * The baseline models in models/: trained by the trainer actors themselves
 * (the same Trainer a node runs) on the simulator's own data, held in a real
 * history store (embedded DuckDB, in memory) with the simulator's ground
 * truth as labels — plant mode for the anomaly models and the operational
 * state, run-to-failure mode for remaining useful life. Everything is
 * seeded and the registry's clock is the simulated one, so the same seed
 * writes the same files. The solar forecast has no baseline: the simulator
 * has no solar devices.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { resolveSensorTypes } from "../kinds.js";
import { featureSpecOf, resolveSensorSettings } from "../sensor/index.js";
import { FsModelRegistry, TrainingPool } from "../../ml/index.js";
import { openEmbeddedHistoryStore, IN_MEMORY } from "../../store/embedded/index.js";
import type { HistoryStore } from "../../store/index.js";
import { simulatedHistory, type SimulatedHistoryOptions } from "./simulated-history.js";
import { Trainer, type ModelOutcome, type TrainerSettings } from "./trainer.js";
import type { TrainerKind } from "./recipes.js";

export interface BaselineOptions {
  /** Written from scratch: model directories already there are removed first. */
  readonly outDir: string;
  readonly seed: number;
}

/** Simulated time of the baselines' data (a fixed date, so nothing depends on when the script runs). */
export const BASELINE_START = Date.UTC(2026, 0, 5);
const MINUTE_MS = 60 * 1000;
const PLANT: Omit<SimulatedHistoryOptions, "seed" | "startAt"> = { mode: "plant", units: 5, durationMs: 60 * MINUTE_MS, intervalMs: 1000, faultEveryMs: 4 * MINUTE_MS };
const FLEET: Omit<SimulatedHistoryOptions, "seed" | "startAt"> = { mode: "run-to-failure", units: 10, durationMs: 10 * MINUTE_MS, intervalMs: 1000 };

const SETTINGS: Omit<TrainerSettings, "seed"> = {
  windowMs: 7 * 24 * 60 * MINUTE_MS,
  maxRows: 50_000,
  holdoutFraction: 0.2,
  promotionMargin: 0.05,
  drift: { threshold: 0.2, recentMs: 60 * MINUTE_MS },
};

export async function trainBaselines(o: BaselineOptions): Promise<ModelOutcome[]> {
  mkdirSync(o.outDir, { recursive: true });
  for (const entry of readdirSync(o.outDir, { withFileTypes: true })) if (entry.isDirectory()) rmSync(path.join(o.outDir, entry.name), { recursive: true });
  const pool = new TrainingPool({ threads: 1 });
  const outcomes: ModelOutcome[] = [];
  try {
    outcomes.push(...(await trainOn({ ...PLANT, seed: o.seed }, ["anomaly", "unit_state"], o, pool)));
    outcomes.push(...(await trainOn({ ...FLEET, seed: o.seed }, ["unit_rul"], o, pool)));
  } finally {
    await pool.close();
  }
  return outcomes;
}

async function trainOn(run: Omit<SimulatedHistoryOptions, "startAt">, kinds: readonly TrainerKind[], o: BaselineOptions, pool: TrainingPool): Promise<ModelOutcome[]> {
  const end = BASELINE_START + run.durationMs;
  const store = await fill(run);
  try {
    const registry = new FsModelRegistry({ root: o.outDir, now: () => end });
    const out: ModelOutcome[] = [];
    for (const kind of kinds) {
      const trainer = new Trainer({
        kind,
        history: store,
        registry,
        train: (job) => pool.run(job),
        spec: featureSpecOf(resolveSensorSettings(undefined)),
        sensorTypes: resolveSensorTypes(undefined),
        settings: { ...SETTINGS, seed: o.seed },
        log: pino({ level: "silent" }),
        now: () => end,
      });
      const result = await trainer.trainNow("baseline").done;
      const failure = result.failures[0];
      if (failure !== undefined) throw new Error(`baseline ${failure.model}: ${failure.message}`);
      out.push(...result.models);
    }
    return out;
  } finally {
    await store.close();
  }
}

async function fill(run: Omit<SimulatedHistoryOptions, "startAt">): Promise<HistoryStore> {
  const history = simulatedHistory({ ...run, startAt: BASELINE_START });
  const store = await openEmbeddedHistoryStore({ path: IN_MEMORY });
  try {
    await store.migrate();
    for (let i = 0; i < history.readings.length; i += 50_000) await store.insertProcessed(history.readings.slice(i, i + 50_000));
    await store.insertLabels(history.labels);
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}
