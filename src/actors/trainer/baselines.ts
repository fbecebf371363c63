/**
 * The baseline models in models/: trained by the trainer actors themselves
 * (the same Trainer a node runs) on the simulator's own data, held in a real
 * history store (embedded DuckDB, in memory) with the simulator's ground
 * truth as labels — plant mode for the anomaly models and the operational
 * state, run-to-failure mode for remaining useful life, the solar devices
 * (slices of live-rate readings over the hours of days across half a year,
 * simulated-solar-history.ts) for the solar forecast. Everything is seeded
 * and the registry's clock is the simulated one, so the same seed writes
 * the same files.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { defaults } from "../../config/defaults.js";
import { resolveSensorTypes } from "../kinds.js";
import { DEFAULT_PLANT_BEHAVIOUR } from "../simulator/index.js";
import { featureSpecOf, resolveSensorSettings } from "../sensor/index.js";
import { FsModelRegistry, TrainingPool } from "../../ml/index.js";
import { openEmbeddedHistoryStore, IN_MEMORY } from "../../store/embedded/index.js";
import type { HistoryStore } from "../../store/index.js";
import { simulatedHistory, type SimulatedHistory, type SimulatedHistoryOptions } from "./simulated-history.js";
import { simulatedSolarHistory, type SimulatedSolarHistoryOptions } from "./simulated-solar-history.js";
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
/**
 * The default `npm start` plant (five units, the simulator's random scenarios
 * every 2 minutes, its rare trips) over 30 hours, the first 5 minutes of
 * every hour kept at one reading per sensor per second: every hour of the
 * day is in the training rows (the newest 20 % held out leaves 24 hours of
 * them), so a node's drift check over a day of its plant is comparing like
 * with like whatever the hour; an hour alone of a plant with a daily cycle
 * still moves the level features (its load and ambient temperature).
 * 5 units × 30 slices × 300 instants: 45,000 rows per sensor type, under
 * maxRows, so none is dropped. On top, three scheduled faults in each slice
 * after the start-up one (80 s each, from 30 s in, the units and the kinds
 * in turn): the random scenarios alone left each anomaly model's holdout
 * resting on a handful of events (the power one's on a single degradation,
 * its ROC-AUC 0.47–0.71 over seeds 1–3); with these every model's holdout
 * holds several of each kind that touches its sensor, on several units.
 */
const PLANT: Omit<SimulatedHistoryOptions, "seed" | "startAt"> = {
  mode: "plant",
  units: 5,
  durationMs: 30 * 60 * MINUTE_MS,
  intervalMs: 1000,
  tripsPerDay: DEFAULT_PLANT_BEHAVIOUR.tripsPerDay,
  randomScenarioEveryMs: defaults.simulator.scenarioEveryMs,
  slices: { everyMs: 60 * MINUTE_MS, keepMs: 5 * MINUTE_MS },
  faultEveryMs: 85 * 1000,
  faultLeadMs: 30 * 1000,
  faultMs: 80 * 1000,
};
const FLEET: Omit<SimulatedHistoryOptions, "seed" | "startAt"> = { mode: "run-to-failure", units: 10, durationMs: 10 * MINUTE_MS, intervalMs: 1000 };
const DAY_MS = 24 * 60 * MINUTE_MS;
/**
 * Six days from midwinter to midsummer (about five weeks apart), ten minutes
 * every two hours of each at one reading per second: 2 devices × 72 slices
 * × 600 instants = 86,400 rows before the trainer spreads its 50,000 over them.
 */
export const SOLAR_BASELINE: Omit<SimulatedSolarHistoryOptions, "seed"> = {
  devices: 2,
  days: [0, 37, 74, 111, 148, 182].map((d) => Date.UTC(2025, 11, 21) + d * DAY_MS),
  hours: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22],
  sliceMs: 10 * MINUTE_MS,
  intervalMs: 1000,
};

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
    outcomes.push(...(await trainOn(simulatedRun({ ...PLANT, seed: o.seed }), ["anomaly", "unit_state"], o, pool)));
    outcomes.push(...(await trainOn(simulatedRun({ ...FLEET, seed: o.seed }), ["unit_rul"], o, pool)));
    outcomes.push(...(await trainOn(solarRun(o.seed), ["solar_forecast"], o, pool)));
  } finally {
    await pool.close();
  }
  return outcomes;
}

/** A stretch of history, when it ends, and the training window reaching back over all of it. */
interface BaselineRun {
  readonly history: SimulatedHistory;
  readonly end: number;
  readonly windowMs: number;
}

function simulatedRun(run: Omit<SimulatedHistoryOptions, "startAt">): BaselineRun {
  return { history: simulatedHistory({ ...run, startAt: BASELINE_START }), end: BASELINE_START + run.durationMs, windowMs: SETTINGS.windowMs };
}

function solarRun(seed: number): BaselineRun {
  const first = SOLAR_BASELINE.days[0] as number;
  const end = (SOLAR_BASELINE.days.at(-1) as number) + DAY_MS;
  return { history: simulatedSolarHistory({ ...SOLAR_BASELINE, seed }), end, windowMs: end - first };
}

async function trainOn(run: BaselineRun, kinds: readonly TrainerKind[], o: BaselineOptions, pool: TrainingPool): Promise<ModelOutcome[]> {
  const end = run.end;
  const store = await fill(run.history);
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
        settings: { ...SETTINGS, windowMs: run.windowMs, seed: o.seed },
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

async function fill(history: SimulatedHistory): Promise<HistoryStore> {
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
