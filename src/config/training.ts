/**
 * The `training` section: the trainer actors (src/actors/trainer) — which
 * models are trained, from how much history, how a new version must beat
 * the one in Production, when they run, the drift check, and where the
 * checked-in baselines that seed an empty registry live (the registry
 * itself is the `models` section).
 */
import { Cron } from "croner";
import { z } from "zod";
import { durationMs, flag, listOf, oneOf, section, wholeNumber } from "./fields.js";

// Mirror of src/actors/trainer's kinds; config may not import actors.
export const TRAINER_KINDS = ["anomaly", "unit_state", "unit_rul", "solar_forecast"] as const;

function fraction(description: string, min: number, max: number) {
  const error = `${description} from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

const cronExpression = z.string({ error: "a cron expression, e.g. \"0 3 * * 0\"" }).refine(
  (s) => {
    try {
      new Cron(s, { paused: true }).stop();
      return true;
    } catch {
      return false;
    }
  },
  { error: "a cron expression (minute hour day-of-month month day-of-week, optionally seconds first), e.g. \"0 3 * * 0\"" },
);

export const trainingSchema = section({
  enabled: flag().describe("Trainer actors run on their schedule and on demand; off: neither (the registry and seeding from the baselines stay)."),
  kinds: listOf(oneOf(TRAINER_KINDS), "trainer kinds (anomaly, unit_state, unit_rul, solar_forecast)").describe("Which trainers the node runs: one per model kind."),
  baselineDir: z
    .string({ error: "a directory, or empty for none" })
    .describe("Checked-in baseline models (registry layout) that seed an empty registry at start, promoted; empty: no seeding."),
  windowMs: durationMs(60_000).describe("History a training run reads: the last this-many milliseconds."),
  maxRows: wholeNumber(100).describe("Feature rows a run keeps at most (the newest), bounding its memory."),
  holdoutFraction: fraction("a share", 0.05, 0.5).describe("The newest share of the rows, held out in time order for the metrics and the promotion comparison."),
  promotionMargin: fraction("a share", 0, 1).describe("A new version replaces the one in Production only when better by this share on its task's primary metric; otherwise it stays in Staging."),
  schedule: cronExpression.describe("When each trainer runs: a cron expression (croner syntax, UTC)."),
  seed: wholeNumber(0, 4_294_967_295).describe("Seed of every training run: the same rows give the same model."),
  threads: wholeNumber(1, 64).describe("Worker threads for training (piscina)."),
  drift: section({
    threshold: fraction("a PSI", 0.01, 10).describe("Population stability index of any feature above this triggers a retraining and raises a system alarm."),
    checkEveryMs: durationMs(0).describe("How often the drift check runs; 0: never."),
    recentMs: durationMs(60_000).describe("The recent live data compared with the training data. Up to 2 hours it is read whole; a longer window is sampled (the first 5 minutes of every hour, as the baselines were trained) and checked only once its readings fall in at least three quarters of its hours of the day, since the plant's levels follow a daily cycle."),
  }).describe("The drift check of the models in Production."),
}).describe("Trainer actors: what they train, from how much history, the promotion rule, the schedule, the drift check, the baselines.");

export type TrainingConfig = z.infer<typeof trainingSchema>;
