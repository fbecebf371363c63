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
import { RollingFeatures, type RollingFeaturesChange, type RollingFeaturesState } from "../../ml/index.js";
import type { RuleBook } from "../../rules/index.js";
import { SensorRules, type SensorRulesState } from "../alarm/index.js";
import type { Actor, ActorContext } from "../../runtime/index.js";
import { encodeProcessedReading, scoreOf, unitAddress, type Category, type ProcessedReading, type Reading, type ReadingQuality, type Severity } from "../readings/index.js";
import { SUBJECTS } from "../subjects.js";
import type { SensorMessage, SensorUpdate, SensorView, UnitWear } from "./messages.js";
import { noisyOr, RangeCheck, Reason, reasonsOf, RULE_SCORE, severityOf, StuckDetector } from "./rules.js";
import type { ScoreResult, SensorScorer } from "./scorer.js";
import { noiseFloorOf, type SensorTypeSpec } from "./sensor-types.js";
import { featureSpecOf, type SensorSettings } from "./settings.js";

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

export class SensorActor implements Actor<SensorMessage, SensorState> {
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
  private readonly scored: ScoreResult = { score: 0, method: "STATISTICAL", modelVersion: null };
  private readonly processedSubject: string;
  private readonly anomalySubject: string;
  private readonly unitAddr: string;
  /** Reused for every reading: publish encodes it before returning. */
  private readonly out: ProcessedReading;

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
    this.flat = new StuckDetector(o.settings.stuck.readings, o.settings.stuck.ms, o.settings.stuck.tolerance);
    this.processedSubject = SUBJECTS.processed(o.unit, o.sensor);
    this.anomalySubject = SUBJECTS.anomaly(o.unit, o.sensor);
    this.unitAddr = unitAddress(o.unit);
    this.alarmRules = new SensorRules(o.rules, o.unit, o.sensor);
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
    this.alarmRules.onActivate(ctx);
  }

  private onReading(r: Reading, ctx: ActorContext): void {
    if (!(r.ts > this.lastTs)) {
      this.reportDuplicate(r, ctx);
      return;
    }
    this.lastTs = r.ts;
    this.quality = r.quality;
    this.readings++;
    let mask = 0;
    let score: number;
    const scored = this.scored;
    if (r.quality === "BAD") {
      mask = Reason.badQuality;
      score = RULE_SCORE.badQuality;
      scored.method = "RULES";
      scored.modelVersion = null;
    } else {
      this.features.push(r.ts, r.value);
      this.scorer.score(this.features, scored);
      const statistical = scored.score;
      let rules = 0;
      if (statistical >= this.threshold) mask |= Reason.zscore;
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
      score = scoreOf(noisyOr(statistical, rules));
      // Only the rules found it: say so, whatever scored the rest.
      if (score >= this.threshold && statistical < this.threshold) scored.method = "RULES";
    }
    const anomaly = score >= this.threshold;
    const severity = anomaly ? severityOf(score, mask) : null;
    if (anomaly) this.anomalies++;

    const out = this.out;
    out.ts = r.ts;
    out.value = r.value;
    out.quality = r.quality;
    out.source = r.source;
    out.anomaly = anomaly;
    out.score = score;
    out.severity = severity;
    out.category = anomaly ? this.category : null;
    out.method = scored.method;
    out.model_version = scored.modelVersion;
    out.reasons = reasonsOf(anomaly ? mask : 0) as string[];
    out.receivedAt = r.receivedAt;
    out.processedAt = ctx.now();
    const json = encodeProcessedReading(out);
    ctx.publishJson(this.processedSubject, json);
    if (anomaly) ctx.publishJson(this.anomalySubject, json);
    this.alarmRules.onReading(r.value, r.quality, r.ts, score, ctx);

    if (
      this.untold ||
      anomaly !== this.toldAnomaly ||
      severity !== this.toldSeverity ||
      r.quality !== this.toldQuality ||
      r.ts - this.toldTs >= this.settings.unitUpdateIntervalMs
    ) {
      this.tellUnit(ctx, r, anomaly, score, severity, mask);
    }
  }

  private tellUnit(ctx: ActorContext, r: Reading, anomaly: boolean, score: number, severity: Severity | null, mask: number): void {
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
    };
    // Refused under backpressure: keep `untold` so the next reading tries again.
    this.untold = !ctx.tell(this.unitAddr, update);
    if (this.untold) return;
    this.toldTs = r.ts;
    this.toldAnomaly = anomaly;
    this.toldSeverity = severity;
    this.toldQuality = r.quality;
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
    const [lo, hi] = this.type.normal;
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
    };
  }

  restore(state: SensorState): void {
    if (state.v !== 1) {
      // An unknown layout: start afresh rather than misread it, and snapshot in full next.
      this.changesApply = false;
      return;
    }
    this.features.restore(state.features);
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
  }
}
