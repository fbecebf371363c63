/**
 * A trainer: what the trainer actor of one model kind does (actor.ts), and
 * usable on its own (specs, scripts). It keeps the last result, the last
 * error, the drift references of what it trained, and does one thing at a
 * time — a run asked for while another is under way joins that run instead
 * of queueing a second. A run reads its window from history, builds the
 * kind's rows, trains each model in the training pool and registers it
 * under the promotion rule (train-model.ts). The heavy work is in the pool;
 * the rest is queries and bookkeeping on the caller's thread.
 *
 * On demand, or on a cron schedule (croner, UTC) when started on its own;
 * `checkDrift` compares recent live rows with each Production model's
 * training rows (PSI per feature) and, past the threshold, reports the
 * drift and starts a run.
 */
import { Cron } from "croner";
import { psi, selectFeatures, type DriftReference, type FeatureSpec, type ModelRegistry, type ModelVersion, type ReadingRow, type TrainingJob, type TrainingResult, type TrainingWindow } from "../../ml/index.js";
import { holdoutSplit, driftReference, TIME_FEATURES } from "../../ml/index.js";
import { isVigilError } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import type { LabelRow } from "../../store/index.js";
import type { SensorTypeSpec } from "../sensor/index.js";
import { readHourlySample, readWindow, unitsReporting, type TrainingHistory } from "./history-window.js";
import { SOLAR_IRRADIANCE_SENSORS, type TrainerKind } from "./recipes.js";
import { rowsForKind } from "./rows-for-kind.js";
import { trainModel } from "./train-model.js";

export interface TrainerSettings {
  readonly windowMs: number;
  readonly maxRows: number;
  readonly holdoutFraction: number;
  readonly promotionMargin: number;
  readonly seed: number;
  /** Cron expression; undefined: on demand only. */
  readonly schedule?: string;
  readonly drift: { readonly threshold: number; readonly recentMs: number };
}

export interface TrainerOptions {
  readonly kind: TrainerKind;
  readonly history: TrainingHistory;
  readonly registry: ModelRegistry;
  readonly train: (job: TrainingJob) => Promise<TrainingResult>;
  readonly spec: FeatureSpec;
  readonly sensorTypes: Readonly<Record<string, SensorTypeSpec>>;
  readonly settings: TrainerSettings;
  readonly log: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called for every model found drifted (before the retraining it starts). */
  readonly onDrift?: (finding: DriftFinding) => void;
}

export interface ModelOutcome {
  readonly model: string;
  readonly version: number;
  readonly stage: string;
  readonly promoted: boolean;
  readonly reason: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly dataHash: string;
  readonly rows: { readonly train: number; readonly holdout: number };
}

export interface TrainingRunResult {
  readonly jobId: string;
  readonly trigger: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly window: TrainingWindow;
  readonly models: readonly ModelOutcome[];
  /** Models of this kind that could not be trained this time, and why. */
  readonly failures: readonly { readonly model: string; readonly code: string | null; readonly message: string }[];
}

export interface TrainingStatus {
  readonly kind: TrainerKind;
  readonly state: "idle" | "running";
  /** The run under way. */
  readonly jobId: string | null;
  readonly lastResult: TrainingRunResult | null;
  readonly lastError: { readonly jobId: string; readonly at: number; readonly code: string | null; readonly message: string } | null;
  /** Epoch ms of the next scheduled run; null when not scheduled. */
  readonly nextRun: number | null;
  readonly drift: readonly DriftFinding[];
}

export interface DriftFinding {
  readonly model: string;
  readonly version: number;
  readonly at: number;
  /** The feature that moved most, and its population stability index. */
  readonly feature: string | null;
  readonly psi: number;
  readonly drifted: boolean;
  /** Epoch ms of the retraining this drift of this version started (at this check or an earlier one); null when none. */
  readonly retrainedAt: number | null;
  /** What the check did about a drift: `started <jobId>` or `skipped: <why>`; null when not drifted. */
  readonly retraining: string | null;
}

export interface TrainingJobHandle {
  readonly jobId: string;
  readonly done: Promise<TrainingRunResult>;
}

/** What a trainer keeps across restarts of its actor: its last outcomes and drift findings (plain data). */
export interface TrainerRecord {
  readonly lastResult: TrainingRunResult | null;
  readonly lastError: TrainingStatus["lastError"];
  readonly drift: readonly DriftFinding[];
}

let jobCounter = 0;

/** A new run's id: unique on this node. */
export function newJobId(kind: TrainerKind, now: number): string {
  return `train-${kind}-${++jobCounter}-${now}`;
}

/**
 * Left out of the drift check: the time of day and the weekday. A recent
 * window shorter than their cycle holds a slice of it by construction (an
 * hour of a day's hour_sin, one weekday of seven), so their PSI against a
 * training window spanning the cycle is always large and says nothing
 * about the inputs having moved.
 */
const CALENDAR: ReadonlySet<string> = new Set(TIME_FEATURES);

/** The solar forecast's query span: 6 hours of two devices at one reading per sensor per second is 130,000 readings. */
const SOLAR_CHUNK_MS = 6 * 60 * 60 * 1000;

const HOUR_MS = 60 * 60 * 1000;
/** A drift window up to this long is read whole; a longer one is sampled per hour. */
const DRIFT_WHOLE_READ_MS = 2 * HOUR_MS;
/** The first 5 minutes of every hour, as the checked-in baselines were trained. */
const DRIFT_SAMPLE_KEEP_MS = 5 * 60 * 1000;
/** A sampled window is checked once its readings fall in at least this share of its hours of the day. */
const DRIFT_MIN_HOUR_SHARE = 0.75;

export class Trainer {
  readonly kind: TrainerKind;
  private readonly o: TrainerOptions;
  private readonly now: () => number;
  private running: TrainingJobHandle | undefined;
  private lastResult: TrainingRunResult | null = null;
  private lastError: TrainingStatus["lastError"] = null;
  private cron: Cron | undefined;
  private drift: DriftFinding[] = [];
  /** Drift references of the versions this trainer registered, by model and version. */
  private readonly references = new Map<string, DriftReference>();
  /** The drift retraining started for each drifted model's Production version, while it drifts. */
  private readonly driftRetrains = new Map<string, { readonly version: number; readonly at: number }>();

  constructor(options: TrainerOptions) {
    this.o = options;
    this.kind = options.kind;
    this.now = options.now ?? Date.now;
  }

  /** Starts the schedule (if any). */
  start(): void {
    const schedule = this.o.settings.schedule;
    if (schedule === undefined || this.cron !== undefined) return;
    this.cron = new Cron(schedule, { timezone: "UTC", protect: true }, () => {
      this.trainNow("schedule").done.catch(() => undefined); // recorded in lastError
    });
  }

  /** Stops the schedule and waits for a run under way. */
  async stop(): Promise<void> {
    this.cron?.stop();
    this.cron = undefined;
    await this.running?.done.catch(() => undefined);
  }

  status(): TrainingStatus {
    const next = this.cron?.nextRun();
    return {
      kind: this.kind,
      state: this.running === undefined ? "idle" : "running",
      jobId: this.running?.jobId ?? null,
      lastResult: this.lastResult,
      lastError: this.lastError,
      nextRun: next === null || next === undefined ? null : next.getTime(),
      drift: this.drift,
    };
  }

  /** Starts a run now (as `jobId` when given), or joins the one under way. */
  trainNow(trigger: string, jobId = newJobId(this.kind, this.now())): TrainingJobHandle {
    if (this.running !== undefined) return this.running;
    const done = this.run(jobId, trigger).finally(() => {
      this.running = undefined;
    });
    done.catch(() => undefined); // recorded in lastError; a caller may still await it
    this.running = { jobId, done };
    return this.running;
  }

  /** The run under way, if any. */
  current(): TrainingJobHandle | undefined {
    return this.running;
  }

  record(): TrainerRecord {
    return { lastResult: this.lastResult, lastError: this.lastError, drift: this.drift };
  }

  /** Takes over a record (an earlier incarnation's). */
  restore(record: TrainerRecord): void {
    this.lastResult = record.lastResult;
    this.lastError = record.lastError;
    this.drift = [...record.drift];
    // An earlier snapshot's findings may predate retrainedAt.
    for (const f of record.drift) if (f.drifted && f.retrainedAt != null) this.driftRetrains.set(f.model, { version: f.version, at: f.retrainedAt });
  }

  /** A run this instance did not start finished (one an earlier incarnation started): its outcome becomes the last. */
  settle(jobId: string, outcome: { result: TrainingRunResult } | { error: { code: string | null; message: string }; at: number }): void {
    if ("result" in outcome) this.finished(outcome.result);
    else this.lastError = { jobId, at: outcome.at, ...outcome.error };
  }

  private finished(result: TrainingRunResult): void {
    this.lastResult = result;
    if (result.models.length === 0) {
      const first = result.failures[0];
      this.lastError = { jobId: result.jobId, at: result.finishedAt, code: first?.code ?? null, message: first?.message ?? "nothing to train" };
    } else this.lastError = null;
  }

  private async run(jobId: string, trigger: string): Promise<TrainingRunResult> {
    const startedAt = this.now();
    const { settings, log } = this.o;
    log.info({ kind: this.kind, jobId, trigger }, "training started");
    try {
      const { readings, labels, window } = await this.read({ from: startedAt - settings.windowMs, to: startedAt });
      const models: ModelOutcome[] = [];
      const failures: TrainingRunResult["failures"][number][] = [];
      for (const outcome of rowsForKind(this.kind, readings, labels, this.context())) {
        try {
          if ("error" in outcome) throw outcome.error;
          const trained = await trainModel(outcome.recipe, outcome.rows, window, { ...settings, train: this.o.train, registry: this.o.registry });
          this.references.set(`${trained.version.model}@${trained.version.version}`, trained.reference);
          models.push({
            model: trained.version.model,
            version: trained.version.version,
            stage: trained.version.stage,
            promoted: trained.decision.promote,
            reason: trained.decision.reason,
            metrics: trained.metrics,
            dataHash: trained.dataHash,
            rows: trained.rows,
          });
          log.info({ kind: this.kind, jobId, model: trained.version.model, version: trained.version.version, stage: trained.version.stage, reason: trained.decision.reason }, "model trained");
        } catch (err) {
          failures.push({ model: outcome.recipe.model, code: isVigilError(err) ? err.code : null, message: err instanceof Error ? err.message : String(err) });
          log.warn({ kind: this.kind, jobId, model: outcome.recipe.model, err }, "model not trained");
        }
      }
      const result: TrainingRunResult = { jobId, trigger, startedAt, finishedAt: this.now(), window, models, failures };
      this.finished(result);
      return result;
    } catch (err) {
      this.lastError = { jobId, at: this.now(), code: isVigilError(err) ? err.code : null, message: err instanceof Error ? err.message : String(err) };
      log.error({ kind: this.kind, jobId, err }, "training failed");
      throw err;
    }
  }

  /**
   * PSI per feature of the last `recentMs` of live rows against each
   * Production model's training rows; a model past the threshold is
   * reported (onDrift) and a retraining starts. The reference is the one
   * kept from training, else the one in the version's manifest (a baseline
   * seeded from models/ carries its own), else rebuilt from the version's
   * training window in history (a version registered without one and
   * trained elsewhere, whose window is not in this history, is skipped).
   *
   * A drift starts one retraining per Production version, not one per
   * check: a candidate left in Staging (not better by the promotion
   * margin) leaves the same version drifting, and retraining every hour
   * on the same data would only repeat that verdict. The drift retrains
   * again once the version changes (a new episode), once the model stops
   * drifting and drifts anew, or once `recentMs` has passed since the last
   * drift retraining: by then every row the drift was measured on is new,
   * so the training window holds data the last run never saw. The findings
   * say which (`retrainedAt`, `retraining`); onDrift (the alarm) is told
   * at every check regardless.
   */
  async checkDrift(): Promise<DriftFinding[]> {
    const { settings } = this.o;
    const now = this.now();
    const live = (await this.o.registry.list()).filter((v) => v.stage === "Production" && (this.kind === "anomaly" ? v.model.startsWith("anomaly.") : v.model === this.kind));
    if (live.length === 0) return (this.drift = []);
    const recent = await this.readRecent({ from: now - settings.drift.recentMs, to: now });
    if (recent === undefined) return (this.drift = []);
    const recentRows = new Map(rowsForKind(this.kind, recent.readings, recent.labels, this.context(), false).map((o) => [o.recipe.model, o]));
    const findings: DriftFinding[] = [];
    for (const version of live) {
      const current = recentRows.get(version.model);
      if (current === undefined || "error" in current) continue;
      const reference = await this.referenceOf(version);
      if (reference === undefined) continue;
      let data;
      try {
        data = selectFeatures(current.rows.data, reference.features, `${version.model} v${version.version}`);
      } catch {
        continue; // the live columns no longer match: the next training replaces the model anyway
      }
      const byFeature = psi(reference, data.x, data.rows);
      let feature: string | null = null;
      let worst = 0;
      for (const [name, value] of Object.entries(byFeature)) if (value > worst && !CALENDAR.has(name)) [feature, worst] = [name, value];
      findings.push({ model: version.model, version: version.version, at: now, feature, psi: worst, drifted: worst > settings.drift.threshold, retrainedAt: null, retraining: null });
    }
    this.drift = this.retrainOnDrift(findings, now);
    for (const f of this.drift) if (f.drifted) this.o.onDrift?.(f);
    return this.drift;
  }

  /** Starts the drift retraining when one is due (see checkDrift) and says on each finding what became of it. */
  private retrainOnDrift(findings: DriftFinding[], now: number): DriftFinding[] {
    const { threshold, recentMs } = this.o.settings.drift;
    for (const f of findings) if (!f.drifted) this.driftRetrains.delete(f.model); // the episode ended
    const drifted = findings.filter((f) => f.drifted);
    const due = drifted.filter((f) => {
      const last = this.driftRetrains.get(f.model);
      return last === undefined || last.version !== f.version || now - last.at >= recentMs;
    });
    if (due.length > 0) {
      const worst = due.reduce((a, b) => (b.psi > a.psi ? b : a));
      const job = this.trainNow(`drift: ${worst.model} ${worst.feature ?? "?"} PSI ${worst.psi.toFixed(3)} > ${threshold}`);
      job.done.catch(() => undefined);
      // The run retrains every model of the kind: each drifted one has had its retraining.
      for (const f of drifted) this.driftRetrains.set(f.model, { version: f.version, at: now });
      return findings.map((f) => (f.drifted ? { ...f, retrainedAt: now, retraining: `started ${job.jobId}` } : f));
    }
    return findings.map((f) => {
      const last = this.driftRetrains.get(f.model);
      if (!f.drifted || last === undefined) return f;
      const again = new Date(last.at + recentMs).toISOString();
      return { ...f, retrainedAt: last.at, retraining: `skipped: v${f.version} was retrained for this drift at ${new Date(last.at).toISOString()}; again when Production changes or from ${again}` };
    });
  }

  private async referenceOf(v: ModelVersion): Promise<DriftReference | undefined> {
    const key = `${v.model}@${v.version}`;
    const kept = this.references.get(key);
    if (kept !== undefined) return kept;
    if (v.distribution !== undefined) {
      const stored: DriftReference = { features: v.features, edges: v.distribution.edges, shares: v.distribution.shares };
      this.references.set(key, stored);
      return stored;
    }
    const { readings, labels } = await this.read(v.trainingWindow);
    const outcome = rowsForKind(this.kind, readings, labels, this.context()).find((o) => o.recipe.model === v.model);
    if (outcome === undefined || "error" in outcome) return undefined;
    const { train } = holdoutSplit(outcome.rows.data, this.o.settings.holdoutFraction);
    const reference = driftReference(train.features, train.x, train.rows);
    this.references.set(key, reference);
    return reference;
  }

  /**
   * The drift check's recent rows. A window of a few hours is read whole.
   * A longer one is sampled hour by hour (as the baselines were trained),
   * and checked only once the history spans most of its hours of the day:
   * the plant's levels follow a daily cycle, so a node's first hours
   * compared with a whole day's training data always look drifted
   * (measured: PSI 2.9–4.8 for one hour of a default plant against the
   * seeded baselines, 0.10–0.15 for its whole first day).
   */
  private async readRecent(window: TrainingWindow): Promise<{ readings: ReadingRow[]; labels: LabelRow[] } | undefined> {
    const span = window.to - window.from;
    if (span <= DRIFT_WHOLE_READ_MS) return this.read(window);
    const sample = await readHourlySample(this.o.history, window, DRIFT_SAMPLE_KEEP_MS);
    const needed = Math.ceil(DRIFT_MIN_HOUR_SHARE * Math.min(24, Math.floor(span / HOUR_MS)));
    if (sample.hoursOfDay < needed) {
      this.o.log.info({ kind: this.kind, hoursOfDay: sample.hoursOfDay, needed }, "drift check skipped: the history does not span enough hours of the day yet");
      return undefined;
    }
    return sample;
  }

  /** The window's readings this kind trains on: the solar forecast's only from the units reporting irradiance (all, when none did lately). */
  private async read(window: TrainingWindow): ReturnType<typeof readWindow> {
    const o = { maxReadings: this.maxReadings() };
    if (this.kind !== "solar_forecast") return readWindow(this.o.history, window, o);
    const units = await unitsReporting(this.o.history, window, SOLAR_IRRADIANCE_SENSORS);
    // A few devices' readings over a long window: longer queries, far fewer of them.
    return readWindow(this.o.history, window, units.length === 0 ? o : { ...o, units, chunkMs: SOLAR_CHUNK_MS });
  }

  private context() {
    return { spec: this.o.spec, sensorTypes: this.o.sensorTypes, maxRows: this.o.settings.maxRows };
  }

  /** Readings enough for maxRows feature rows: an anomaly row takes one reading of its type, a unit row one per sensor; 16 covers a handful of types or sensors. */
  private maxReadings(): number {
    return this.o.settings.maxRows * 16;
  }
}
