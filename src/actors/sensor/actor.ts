/**
 * One sensor of one unit (`sensor/<unit>/<sensor>`): windows its readings,
 * checks and scores each one, publishes a ProcessedReading for every reading
 * (and again on the anomaly subject when anomalous), drops and reports
 * duplicates, and keeps its unit informed — including its wear gap, from
 * which the unit reads a degradation no single sensor shows for sure; while
 * the unit says it sees one, readings that move with it are flagged
 * `degradation`. The hot path: one reading costs a
 * few window updates, a logistic and one JSON encoding, and allocates
 * nothing but the occasional update to the unit — the published object is
 * reused, since `publish` encodes it at once.
 *
 * BAD readings are published (anomalous, reason `bad_quality`) but kept out
 * of the windows and the flat-line check: their values are not to be trusted.
 */
import { RollingFeatures, type LoadedModel, type RollingFeaturesChange, type RollingFeaturesState, type ScoreSink, type WorkerModels } from "../../ml/index.js";
import type { RuleBook } from "../../rules/index.js";
import { SensorRules, type SensorRulesState } from "../alarm/index.js";
import { anomalyScoreOf } from "../models/outputs.js";
import type { Actor, ActorContext } from "../../runtime/index.js";
import { ProcessedEncoder, scoreOf, unitAddress, type Category, type ProcessedReading, type Reading, type ReadingQuality, type ScoringMethod, type Severity } from "../readings/index.js";
import { SUBJECTS } from "../subjects.js";
import type { SensorMessage, SensorUpdate, SensorView, UnitWear } from "./messages.js";
import { noisyOr, RangeCheck, Reason, reasonsOf, RULE_SCORE, severityOf, StuckDetector } from "./rules.js";
import { PendingReadings, Scored, type PendingReading, type WaitingReading } from "./pending.js";
import type { ScoreResult, SensorScorer } from "./scorer.js";
import { noiseFloorOf, type SensorTypeSpec } from "./sensor-types.js";
import { featureSpecOf, type SensorSettings } from "./settings.js";
import { copyFeatures } from "./feature-copies.js";

/** The sensor's snapshot: its windows and statistics, plain data. */
export interface SensorState {
  v: 1;
  features: RollingFeaturesState;
  lastTs: number | null;
  quality: ReadingQuality | null;
  flat: ReturnType<StuckDetector["snapshot"]>;
  scorer: unknown;
  readings: number;
  anomalies: number;
  duplicates: number;
  /** The alarm rules' conditions on this sensor. */
  alarm?: SensorRulesState;
  /** The unit's last word on wear; absent in snapshots from before it existed. */
  unitWear?: boolean;
  /**
   * Readings handled but not yet published (waiting for a model's score, or
   * behind one that is), oldest first; absent when there are none. A sensor
   * restored with some publishes them by the rules on activation.
   */
  waiting?: WaitingReading[];
}

/** A change on top of a SensorState: the windows' added samples, the rest in full. */
export interface SensorStateChange extends Omit<SensorState, "features"> {
  features: RollingFeaturesChange;
}

export interface SensorActorOptions {
  unit: string;
  sensor: string;
  /** The matched sensor type's name and spec, when known. */
  type: { name: string; spec: SensorTypeSpec } | undefined;
  settings: SensorSettings;
  scorer: SensorScorer;
  /** Index of the window drift is judged on (the longest). */
  driftWindow: number;
  /** Index of the scorer's baseline window, which the wear gap takes its noise scale from. */
  baselineWindow: number;
  /** The worker's models; without them the scorer alone scores (and says how). */
  models?: SensorModels;
  /** The worker's alarm rules, evaluated on every reading. */
  rules: RuleBook;
}

/** Rejection published for a duplicate or out-of-order reading. */
export interface DuplicateReport {
  source: Reading["source"];
  reason: "duplicate";
  unit: string;
  sensor: string;
  ts: number;
  detail: string;
}

/** What a sensor needs of its worker's models (one shared per sensor kind). */
export interface SensorModels {
  readonly models: WorkerModels;
  /** The sensor's feature names (featureNames of its spec): what a model's columns are looked up in. */
  readonly names: readonly string[];
  /** Whether the worker has a model its units score with (they then need their sensors' features). */
  unitWantsFeatures(): boolean;
}

export class SensorActor implements Actor<SensorMessage, SensorState>, ScoreSink<LoadedModel> {
  private readonly unit: string;
  private readonly sensor: string;
  private readonly type: SensorTypeSpec | undefined;
  private readonly typeName: string | null;
  private readonly category: Category | null;
  private readonly settings: SensorSettings;
  private readonly threshold: number;
  private readonly scorer: SensorScorer;
  private readonly driftWindow: number;
  private readonly baselineWindow: number;
  /** +1 when the value rises with wear, -1 when it falls, 0 when its type does not say. */
  private readonly wearSign: number;
  private readonly noiseFloor: number;
  private readonly features: RollingFeatures;
  private readonly flat: StuckDetector;
  private readonly range = new RangeCheck();
  private readonly alarmRules: SensorRules;
  private readonly statistical: ScoreResult = { score: 0, method: "STATISTICAL", modelVersion: null };
  private readonly processedSubject: string;
  private readonly anomalySubject: string;
  private readonly unitAddr: string;
  /** Reused for every reading: publish encodes it before returning. */
  private readonly out: ProcessedReading;
  private readonly encoder: ProcessedEncoder;
  private readonly models: SensorModels | undefined;
  /** The registry name of this sensor's anomaly model. */
  private readonly modelName: string;
  private readonly pending = new PendingReadings();
  /**
   * The windows' feature vector, computed at most once per sample: the
   * model's row and the unit's update both read it. `vectorAt` is the
   * windows' sequence it was computed at (-1: stale).
   */
  private readonly vec: Float64Array;
  private vectorAt = -1;
  /** This incarnation's context, for publishing scores that arrive between messages. */
  private ctx: ActorContext | undefined;
  private drained: (() => void) | undefined;

  /** The windows' sequence at the last snapshot or change taken (or restore): where the next change starts. */
  private snapshotMark = 0;
  /** Whether the stored snapshot is this state's past (false after a restore refused an unknown layout). */
  private changesApply = true;
  private lastTs = Number.NEGATIVE_INFINITY;
  private quality: ReadingQuality | null = null;
  private readings = 0;
  private anomalies = 0;
  private duplicates = 0;
  /** The unit sees wear across its sensors (UnitWear). */
  private unitWear = false;
  // What the unit was last told, to send only changes and a heartbeat.
  private toldTs = Number.NEGATIVE_INFINITY;
  private toldAnomaly = false;
  private toldSeverity: Severity | null = null;
  private toldQuality: ReadingQuality | null = null;
  private toldWarm = false;
  private untold = true;

  constructor(o: SensorActorOptions) {
    this.unit = o.unit;
    this.sensor = o.sensor;
    this.type = o.type?.spec;
    this.typeName = o.type?.name ?? null;
    this.category = this.type?.category ?? null;
    this.settings = o.settings;
    this.threshold = o.settings.scoring.anomalyThreshold;
    this.scorer = o.scorer;
    this.driftWindow = o.driftWindow;
    this.baselineWindow = o.baselineWindow;
    this.wearSign = this.type?.wear === "rise" ? 1 : this.type?.wear === "fall" ? -1 : 0;
    this.noiseFloor = this.type === undefined ? 0 : noiseFloorOf(this.type);
    this.features = new RollingFeatures(featureSpecOf(o.settings));
    this.vec = new Float64Array(this.features.width);
    this.flat = new StuckDetector(o.settings.stuck.readings, o.settings.stuck.ms, o.settings.stuck.tolerance);
    this.processedSubject = SUBJECTS.processed(o.unit, o.sensor);
    this.anomalySubject = SUBJECTS.anomaly(o.unit, o.sensor);
    this.unitAddr = unitAddress(o.unit);
    this.alarmRules = new SensorRules(o.rules, o.unit, o.sensor);
    this.models = o.models;
    this.modelName = `anomaly.${this.typeName ?? "untyped"}`;
    this.encoder = new ProcessedEncoder(o.unit, o.sensor);
    this.out = {
      unit: o.unit,
      sensor: o.sensor,
      ts: 0,
      value: 0,
      quality: "GOOD",
      source: "simulator",
      anomaly: false,
      score: 0,
      severity: null,
      category: null,
      method: "STATISTICAL",
      model_version: null,
      reasons: [],
      receivedAt: 0,
      processedAt: 0,
    };
  }

  receive(message: SensorMessage, ctx: ActorContext): unknown {
    this.ctx = ctx;
    if (typeof message !== "object" || message === null) return undefined; // not for us; never worth a restart
    if ("type" in message) {
      if (message.type === "stale-check") this.alarmRules.onStaleCheck(ctx);
      else if (message.type === "unit-wear") this.onUnitWear(message);
      return message.type === "get" ? this.view() : undefined;
    }
    this.onReading(message, ctx);
    return undefined;
  }

  onActivate(ctx: ActorContext): void {
    this.ctx = ctx;
    this.alarmRules.onActivate(ctx);
    if (this.pending.size > 0) {
      // Restored with readings whose model answer died with the old worker: the rules score them now.
      this.models?.models.countFallback(this.modelName, "restored", this.pending.size);
      this.publishReady();
    }
  }

  /** Passivating or stopping: the readings still waiting for a model are published first. */
  onDeactivate(): Promise<void> | void {
    if (this.pending.size === 0) return;
    return new Promise((resolve) => (this.drained = resolve));
  }

  private onReading(r: Reading, ctx: ActorContext): void {
    if (!(r.ts > this.lastTs)) {
      this.reportDuplicate(r, ctx);
      return;
    }
    this.lastTs = r.ts;
    this.quality = r.quality;
    this.readings++;
    const pending = this.pending;
    const e = pending.take();
    e.ts = r.ts;
    e.value = r.value;
    e.quality = r.quality;
    e.source = r.source;
    e.receivedAt = r.receivedAt;
    if (r.quality === "BAD") {
      e.mask = Reason.badQuality;
      e.rules = RULE_SCORE.badQuality;
      e.statistical = 0;
    } else {
      this.features.push(r.ts, r.value);
      this.judge(r, e);
      if (this.models !== undefined) this.handToModel(e);
    }
    if (e.scored !== Scored.Waiting && pending.size === 0) {
      this.emit(e, ctx);
      pending.release(e);
      return;
    }
    // Not published yet: its ingest credit stays out until it is, so the readings waiting here are bounded by the budget.
    e.credit = ctx.holdCredit();
    pending.push(e);
  }

  /** The rule checks and the statistical score of a GOOD or UNCERTAIN reading, into `e`. */
  private judge(r: Reading, e: PendingReading): void {
    // Always run: it keeps learning the noise, and it is the fallback when a model cannot score.
    this.scorer.score(this.features, this.statistical);
    e.statistical = this.statistical.score;
    let mask = 0;
    let rules = 0;
    if (this.flat.update(r.ts, r.value)) {
      mask |= Reason.stuck;
      rules = RULE_SCORE.stuck;
    }
    if (this.type !== undefined) {
      this.range.check(this.type, r.value);
      if (this.range.mask !== 0) {
        mask |= this.range.mask;
        rules = noisyOr(rules, this.range.score);
      }
    }
    if (this.unitWear && this.wearGap() >= this.settings.wearGap) {
      mask |= Reason.degradation;
      rules = noisyOr(rules, RULE_SCORE.degradation);
    }
    e.mask = mask;
    e.rules = rules;
  }

  /** Hands the reading's features to its type's model; left to the rules (and counted) when there is none it can use, or the sensor is warming up. */
  private handToModel(e: PendingReading): void {
    const m = this.models as SensorModels;
    const model = m.models.get(this.modelName);
    if (model === undefined) {
      m.models.countFallback(this.modelName, "no_model");
      return;
    }
    // A new sensor's first readings: near-empty windows (no spread, no slope), like no row the model learned from.
    if (!this.features.warm) {
      m.models.countFallback(this.modelName, "warming_up");
      return;
    }
    const columns = model.columnsOf(m.names);
    if (columns === null) {
      m.models.countFallback(this.modelName, "features_missing");
      return;
    }
    if (!model.batcher.add(this.vector(), columns, this, this.pending.nextSeq)) {
      m.models.countFallback(this.modelName, "overloaded");
      return;
    }
    e.scored = Scored.Waiting;
  }

  // ---- ScoreSink: a model's answer for a waiting reading ------------------

  scored(tag: number, out: Float32Array, at: number, model: LoadedModel): void {
    const e = this.pending.at(tag);
    if (e === undefined || e.scored !== Scored.Waiting) return;
    e.modelScore = anomalyScoreOf(out, at, model.outputWidth);
    e.model = model;
    e.scored = Scored.ByModel;
    this.publishReady();
  }

  failed(tag: number, model: LoadedModel, error: Error): void {
    const e = this.pending.at(tag);
    if (e === undefined || e.scored !== Scored.Waiting) return;
    const m = this.models as SensorModels;
    m.models.noteFailure(model, error);
    m.models.countFallback(this.modelName, "failed");
    e.scored = Scored.ByRules;
    this.publishReady();
  }

  /** Publishes the scored readings at the head of the queue, in order. */
  private publishReady(): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    const pending = this.pending;
    const before = pending.size;
    let credits = 0;
    for (let e = pending.peek(); e !== undefined && e.scored !== Scored.Waiting; e = pending.peek()) {
      this.emit(e, ctx);
      if (e.credit) credits++;
      pending.shift();
    }
    if (credits > 0) ctx.releaseCredits(credits);
    // The snapshot lists the waiting readings: the next one must no longer hold these.
    if (pending.size !== before) ctx.markDirty();
    if (pending.size === 0 && this.drained !== undefined) {
      const resolve = this.drained;
      this.drained = undefined;
      resolve();
    }
  }

  /** Publishes a judged reading and tells the alarm rules and the unit. */
  private emit(e: PendingReading, ctx: ActorContext): void {
    let mask = e.mask;
    let score: number;
    let anomaly: boolean;
    let method: ScoringMethod;
    let modelVersion: string | null = null;
    if ((mask & Reason.badQuality) !== 0) {
      score = e.rules;
      anomaly = true;
      method = "RULES";
    } else if (e.scored === Scored.ByModel) {
      const model = e.model as LoadedModel;
      const s = e.modelScore;
      const byModel = s >= model.threshold;
      if (byModel) mask |= Reason.model;
      score = scoreOf(e.rules === 0 ? s : noisyOr(s, e.rules));
      anomaly = byModel || e.rules >= this.threshold;
      // Only the rules found it: say so, whatever scored the rest.
      method = anomaly && !byModel ? "RULES" : "MODEL";
      modelVersion = model.label;
    } else {
      const statistical = e.statistical;
      if (statistical >= this.threshold) mask |= Reason.zscore;
      score = scoreOf(noisyOr(statistical, e.rules));
      anomaly = score >= this.threshold;
      // With models in use, anything they did not score was scored by the rules' fallback.
      method = this.models !== undefined || (anomaly && statistical < this.threshold) ? "RULES" : this.statistical.method;
      modelVersion = this.models !== undefined ? null : this.statistical.modelVersion;
    }
    const severity = anomaly ? severityOf(score, mask) : null;
    if (anomaly) this.anomalies++;

    const out = this.out;
    out.ts = e.ts;
    out.value = e.value;
    out.quality = e.quality;
    out.source = e.source;
    out.anomaly = anomaly;
    out.score = score;
    out.severity = severity;
    out.category = anomaly ? this.category : null;
    out.method = method;
    out.model_version = modelVersion;
    out.reasons = reasonsOf(anomaly ? mask : 0) as string[];
    out.receivedAt = e.receivedAt;
    out.processedAt = ctx.now();
    const json = this.encoder.encode(out);
    ctx.publishJson(this.processedSubject, json);
    if (anomaly) ctx.publishJson(this.anomalySubject, json);
    this.alarmRules.onReading(e.value, e.quality, e.ts, score, ctx);

    if (
      this.untold ||
      anomaly !== this.toldAnomaly ||
      severity !== this.toldSeverity ||
      e.quality !== this.toldQuality ||
      // The end of the warm-up lets the unit's models read this sensor: worth telling at once, when it has any.
      (this.features.warm !== this.toldWarm && this.models?.unitWantsFeatures() === true) ||
      e.ts - this.toldTs >= this.settings.unitUpdateIntervalMs
    ) {
      this.tellUnit(ctx, e, anomaly, score, severity, mask);
    }
  }

  /** The windows' current feature vector (shared: copy what must outlive the next sample). */
  private vector(): Float64Array {
    const at = this.features.sequence;
    if (this.vectorAt !== at) {
      this.features.vector(this.vec);
      this.vectorAt = at;
    }
    return this.vec;
  }

  private tellUnit(ctx: ActorContext, r: PendingReading, anomaly: boolean, score: number, severity: Severity | null, mask: number): void {
    // The unit's models read every sensor's rolling features; sent only while the worker has one.
    const withFeatures = this.models?.unitWantsFeatures() === true;
    // One shape whether or not features go (no spread): the unit keeps the copy, the sensor's vector moves on.
    const update: SensorUpdate = {
      type: "sensor",
      sensor: this.sensor,
      value: r.value,
      ts: r.ts,
      quality: r.quality,
      anomaly,
      score,
      severity,
      category: anomaly ? this.category : null,
      reasons: reasonsOf(anomaly ? mask : 0),
      drift: this.drifting(),
      wear: this.wearGap(),
      features: withFeatures ? copyFeatures(this.vector()) : undefined,
      warm: withFeatures ? this.features.warm : undefined,
      runFrom: r.ts,
      runAnew: false,
    };
    // Refused under backpressure: keep `untold` so the next reading tries again.
    this.untold = !ctx.tell(this.unitAddr, update);
    if (this.untold) return;
    this.toldTs = r.ts;
    this.toldAnomaly = anomaly;
    this.toldSeverity = severity;
    this.toldQuality = r.quality;
    this.toldWarm = this.features.warm;
  }

  /**
   * Drift: the longest window's trend is real (|slope| at least three
   * standard errors) and, carried on for the drift horizon, would take the
   * window's mean out of the normal band it is in now.
   */
  private drifting(): boolean {
    if (this.type === undefined) return false;
    const w = this.features.windows[this.driftWindow];
    if (w === undefined || w.n < this.settings.scoring.minSamples) return false;
    const slope = w.slope();
    if (slope === 0 || Math.abs(slope) < 3 * w.slopeStdErr()) return false;
    const lo = this.type.normal[0];
    const hi = this.type.normal[1];
    const mean = w.mean();
    if (mean < lo || mean > hi) return false;
    const projected = mean + (slope * this.settings.driftHorizonMs) / 1000;
    return projected < lo || projected > hi;
  }

  /**
   * How far the recent values stand from the slow baseline in the wear
   * direction, in noise standard deviations. "Recent" is the EWMA, or the
   * newest value when that is nearer the baseline: the EWMA smooths the noise
   * but lags, and a value that has jumped back must end the gap at once. The
   * noise is the scatter around the baseline window's trend line, so the very
   * ramp being measured does not inflate it; the type's noise floor keeps a
   * calm or flat window from making a tiny gap look large.
   */
  private wearGap(): number {
    if (this.wearSign === 0) return 0;
    const w = this.features.windows[this.baselineWindow];
    if (w === undefined || w.n < this.settings.scoring.minSamples) return 0;
    const noise = w.residualStd();
    const scale = Math.sqrt(noise * noise + this.noiseFloor * this.noiseFloor);
    if (!(scale > 0)) return 0;
    const baseline = this.features.baseline();
    const sign = this.wearSign;
    return Math.min(sign * (this.features.ewma() - baseline), sign * (this.features.latestValue - baseline)) / scale;
  }

  private onUnitWear(message: UnitWear): void {
    this.unitWear = message.on;
  }

  private reportDuplicate(r: Reading, ctx: ActorContext): void {
    this.duplicates++;
    const report: DuplicateReport = {
      source: r.source,
      reason: "duplicate",
      unit: this.unit,
      sensor: this.sensor,
      ts: r.ts,
      detail: r.ts === this.lastTs ? "same timestamp as the last reading" : "older than the last reading",
    };
    ctx.publish(SUBJECTS.rejected, report);
  }

  private view(): SensorView {
    const names = this.features.names();
    const vector = this.features.vector();
    const features: Record<string, number> = {};
    names.forEach((name, i) => (features[name] = vector[i] as number));
    return {
      unit: this.unit,
      sensor: this.sensor,
      type: this.typeName,
      readings: this.readings,
      anomalies: this.anomalies,
      duplicates: this.duplicates,
      lastTs: Number.isFinite(this.lastTs) ? this.lastTs : null,
      quality: this.quality,
      flatRun: this.flat.runLength,
      features,
    };
  }

  snapshot(): SensorState {
    const state = this.stateWith(this.features.snapshot());
    this.snapshotMark = this.features.sequence;
    this.changesApply = true;
    return state;
  }

  /**
   * Between full snapshots, only the samples added to the windows go out
   * (with the small rest in full): at high rates a sensor keeps thousands
   * of samples and would otherwise copy them all at every checkpoint.
   */
  snapshotChange(): SensorStateChange | undefined {
    const features = this.changesApply ? this.features.changeSince(this.snapshotMark) : undefined;
    if (features === undefined) return undefined;
    const change = this.stateWith(features);
    this.snapshotMark = this.features.sequence;
    return change;
  }

  applyChange(change: SensorStateChange): void {
    if (change.v !== 1 || !this.changesApply) return;
    this.features.applyChange(change.features);
    this.vectorAt = -1;
    this.restoreRest(change);
  }

  private stateWith<F>(features: F): Omit<SensorState, "features"> & { features: F } {
    return {
      v: 1,
      features,
      lastTs: Number.isFinite(this.lastTs) ? this.lastTs : null,
      quality: this.quality,
      flat: this.flat.snapshot(),
      scorer: this.scorer.snapshot?.() ?? null,
      readings: this.readings,
      anomalies: this.anomalies,
      duplicates: this.duplicates,
      alarm: this.alarmRules.snapshot(),
      unitWear: this.unitWear,
      ...(this.pending.size === 0 ? {} : { waiting: this.pending.waiting() }),
    };
  }

  restore(state: SensorState): void {
    if (state.v !== 1) {
      // An unknown layout: start afresh rather than misread it, and snapshot in full next.
      this.changesApply = false;
      return;
    }
    this.features.restore(state.features);
    this.vectorAt = -1;
    this.restoreRest(state);
  }

  private restoreRest(state: Omit<SensorState, "features">): void {
    this.snapshotMark = this.features.sequence;
    this.lastTs = state.lastTs ?? Number.NEGATIVE_INFINITY;
    this.quality = state.quality;
    this.flat.restore(state.flat);
    this.scorer.restore?.(state.scorer);
    this.readings = state.readings;
    this.anomalies = state.anomalies;
    this.duplicates = state.duplicates;
    this.alarmRules.restore(state.alarm);
    this.unitWear = state.unitWear ?? false;
    this.pending.restore(state.waiting ?? []);
  }
}
