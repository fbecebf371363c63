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
  /** Trainer actors run on their schedule and on demand; off: neither (the registry and seeding stay). */
  enabled: flag(),
  /** Which trainers the node runs. */
  kinds: listOf(oneOf(TRAINER_KINDS), "trainer kinds (anomaly, unit_state, unit_rul, solar_forecast)"),
  /** Checked-in baseline models (registry layout) that seed an empty registry at start; empty: no seeding. */
  baselineDir: z.string({ error: "a directory, or empty for none" }),
  /** History a training run reads: the last this-many milliseconds. */
  windowMs: durationMs(60_000),
  /** Rows a run keeps at most (the newest), bounding its memory. */
  maxRows: wholeNumber(100),
  /** The newest share of the rows held out (time-ordered) for the metrics and the promotion comparison. */
  holdoutFraction: fraction("a share", 0.05, 0.5),
  /** A new version replaces Production only when better by this share on the task's primary metric. */
  promotionMargin: fraction("a share", 0, 1),
  /** When each trainer runs (croner syntax, UTC). */
  schedule: cronExpression,
  seed: wholeNumber(0, 4_294_967_295),
  /** Worker threads for training (piscina). */
  threads: wholeNumber(1, 64),
  drift: section({
    /** Population stability index of any feature above this triggers retraining and a system alarm. */
    threshold: fraction("a PSI", 0.01, 10),
    /** How often the check runs; 0: never. */
    checkEveryMs: durationMs(0),
    /** The recent live data compared with the training data. */
    recentMs: durationMs(60_000),
  }),
});

export type TrainingConfig = z.infer<typeof trainingSchema>;
