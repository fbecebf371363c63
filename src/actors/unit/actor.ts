/**
 * One plant unit (`unit/<unit>`): the latest state of each of its sensors,
 * its status (online, offline after `offlineAfterMs` without an update,
 * maintenance by command), and the operational state, severity, category
 * and health its assessor derives. Publishes a UnitState whenever status,
 * operational state, severity, category or (rounded) health changes.
 *
 * Whether the unit is wearing (wear.ts) is judged here too, before the
 * assessor runs, and told to the sensors that have a wear direction whenever
 * it changes: they flag the readings that carry their share of it.
 *
 * Offline detection is one re-armed timer, not one per update: when it fires
 * it checks how long the unit has been silent and either goes offline or
 * re-arms for the rest of the timeout.
 */
import { isChildFailed, type Actor, type ActorContext } from "../../runtime/index.js";
import { sensorAddress, type OperationalState, type PowerForecast, type Severity, type Category, type SensorSnapshot, type UnitState, type UnitStatus } from "../readings/index.js";
import { isSensorUpdate, recycleFeatures, sensorTypeOf, type SensorTypeSpec, type SensorUpdate, type UnitWear } from "../sensor/index.js";
import { SUBJECTS } from "../subjects.js";
import { alarmAddress, type UnitSignal } from "../alarm/index.js";
import type { Assessment, SensorEntry, UnitAssessor, UnitView } from "./assessor.js";
import type { OnlineCheck, UnitMessage } from "./messages.js";
import type { UnitSettings } from "./settings.js";
import { WearWatch } from "./wear.js";
import { UnitModelScoring, type UnitModelsShared } from "./model-scoring.js";

/** The unit's snapshot. */
export interface UnitActorState {
  v: 1;
  sensors: Record<string, Omit<SensorEntry, "type">>;
  reachable: boolean;
  maintenance: boolean;
  lastHeardAt: number | null;
  onlineSince: number | null;
  lastReadingAt: number | null;
  published: PublishedKey | null;
  /** Absent in snapshots from before wear was watched. */
  wearing?: boolean;
}

interface PublishedKey {
  status: UnitStatus;
  operationalState: OperationalState;
  severity: Severity | null;
  category: Category | null;
  health: number;
}

// Tells the timers of an instance from those a failed predecessor left behind.
let instances = 0;

export class UnitActor implements Actor<UnitMessage, UnitActorState> {
  private readonly sensors = new Map<string, SensorEntry>();
  /** The values of `sensors`, in the order they came: what each update's assessment walks. */
  private readonly entries: SensorEntry[] = [];
  private readonly assessment: Assessment = { operationalState: "NORMAL", severity: null, category: null, health: 1, method: "RULES" };
  private readonly instance = ++instances;
  private readonly viewScratch: { -readonly [K in keyof UnitView]: UnitView[K] };
  /** Heard from within the offline timeout. */
  private reachable = false;
  private maintenance = false;
  private lastHeardAt: number | null = null;
  private onlineSince: number | null = null;
  private lastReadingAt: number | null = null;
  private published: PublishedKey | null = null;
  private checkArmed = false;
  /** Sensor updates came in this turn and the unit has not assessed itself since. */
  private assessDue = false;
  private readonly wear: WearWatch;
  /** What the sensors were last told about wear (all of them took it). */
  private wearTold = false;

  /** The unit's models, when the kind has a worker's models. */
  private readonly scoring: UnitModelScoring | undefined;
  /** This incarnation's context, for publishing model answers that arrive between messages. */
  private ctx: ActorContext | undefined;
  /** What the models said last (UnitState's model fields); null while the rules alone assess. */
  private modelFields: Pick<UnitState, "probabilities" | "rul_hours" | "model_version"> | null = null;

  constructor(
    private readonly unit: string,
    private readonly settings: UnitSettings,
    private readonly sensorTypes: Readonly<Record<string, SensorTypeSpec>>,
    private readonly assessor: UnitAssessor,
    models?: UnitModelsShared,
  ) {
    this.wear = new WearWatch(settings);
    this.viewScratch = { unit, sensors: this.sensors, entries: this.entries, now: 0, onlineSince: null, startingUp: false, wearing: false, previous: null };
    if (models !== undefined) {
      const scoring = new UnitModelScoring(models, () => this.onModelAnswers());
      scoring.wantAgain = () => {
        if (this.ctx !== undefined) this.evaluate(this.ctx);
      };
      this.scoring = scoring;
    }
  }

  onActivate(ctx: ActorContext): void {
    // Timers do not survive passivation or a restart: pick the watch up again.
    if (this.reachable) this.armCheck(ctx);
  }

  receive(message: UnitMessage, ctx: ActorContext): unknown {
    this.ctx = ctx;
    if (typeof message !== "object" || message === null) return undefined; // not for us; never worth a restart
    if (isSensorUpdate(message)) {
      this.onSensor(message, ctx);
      return undefined;
    }
    if (isChildFailed(message)) {
      ctx.log.warn({ child: message.child, error: message.error }, "sensor actor failed and escalated");
      return undefined;
    }
    switch (message.type) {
      case "check-online":
        this.onCheck(message, ctx);
        return undefined;
      case "maintenance":
        if (this.maintenance !== message.on) ctx.log.info({ unit: this.unit, by: message.by }, message.on ? "unit into maintenance" : "unit out of maintenance");
        this.maintenance = message.on;
        this.evaluate(ctx);
        return this.state(ctx);
      case "get":
        this.evaluate(ctx); // time may have moved on (e.g. out of STARTUP)
        return this.state(ctx);
    }
  }

  private onSensor(u: SensorUpdate, ctx: ActorContext): void {
    let entry = this.sensors.get(u.sensor);
    if (entry === undefined) {
      const type = sensorTypeOf(this.sensorTypes, u.sensor)?.spec;
      entry = { value: u.value, ts: u.ts, quality: u.quality, anomaly: false, score: 0, severity: null, category: null, reasons: u.reasons, drift: false, wear: 0, anomalousSince: null, type };
      this.sensors.set(u.sensor, entry);
      this.entries.push(entry);
    }
    // An update merged from several says where the run it ends began (SensorUpdate.runFrom), and whether it ended the unit's.
    entry.anomalousSince = !u.anomaly ? null : u.runAnew ? u.runFrom : (entry.anomalousSince ?? u.runFrom);
    entry.value = u.value;
    entry.ts = u.ts;
    entry.quality = u.quality;
    entry.anomaly = u.anomaly;
    entry.score = u.score;
    entry.severity = u.severity;
    entry.category = u.category;
    entry.reasons = u.reasons;
    entry.drift = u.drift;
    entry.wear = u.wear;
    if (u.features !== undefined) {
      // Copied into the entry's own array from the second update on: the update's copy then dies young, instead of
      // living until the next update (often past a scavenge, and promoted: old-generation garbage per reading).
      const own = entry.features;
      if (own !== undefined && own !== null && own.length === u.features.length) {
        own.set(u.features);
        recycleFeatures(u.features);
      } else entry.features = u.features;
      entry.warm = u.warm ?? true;
    }
    if (this.lastReadingAt === null || u.ts > this.lastReadingAt) this.lastReadingAt = u.ts;
    this.lastHeardAt = ctx.now();
    if (!this.reachable) {
      this.reachable = true;
      this.onlineSince = this.lastHeardAt;
      this.armCheck(ctx);
    }
    // Assessed once the turn's messages are in (onTurnEnd): a unit's sensors report in the same batches, and under
    // load an update from each waits (one per sensor: latest-updates.ts); assessing, asking the models and publishing
    // after each was most of a unit's work.
    this.assessDue = true;
  }

  onTurnEnd(ctx: ActorContext): void {
    if (this.assessDue) this.evaluate(ctx);
  }

  private onCheck(check: OnlineCheck, ctx: ActorContext): void {
    if (check.instance !== this.instance) return;
    this.checkArmed = false;
    if (!this.reachable || this.lastHeardAt === null) return;
    const silent = ctx.now() - this.lastHeardAt;
    if (silent < this.settings.offlineAfterMs) {
      this.armCheck(ctx, this.settings.offlineAfterMs - silent);
      return;
    }
    this.reachable = false;
    this.onlineSince = null;
    this.evaluate(ctx);
  }

  private armCheck(ctx: ActorContext, delayMs = this.remaining(ctx)): void {
    if (this.checkArmed) return;
    this.checkArmed = true;
    const check: OnlineCheck = { type: "check-online", instance: this.instance };
    ctx.schedule(delayMs, check);
  }

  private remaining(ctx: ActorContext): number {
    const since = this.lastHeardAt === null ? 0 : ctx.now() - this.lastHeardAt;
    return Math.max(0, this.settings.offlineAfterMs - since);
  }

  private get status(): UnitStatus {
    return this.maintenance ? "maintenance" : this.reachable ? "online" : "offline";
  }

  /** The assessor's view, filled in afresh for each assessment (one object per actor: this runs per sensor update). */
  private view(now: number, startingUp: boolean): UnitView {
    const v = this.viewScratch;
    v.now = now;
    v.onlineSince = this.onlineSince;
    v.startingUp = startingUp;
    v.wearing = this.wear.wearing;
    v.previous = this.published?.operationalState ?? null;
    return v;
  }

  /** Tells the sensors with a wear direction that the unit started or stopped wearing; again later if one refused. */
  private tellWear(ctx: ActorContext): void {
    const on = this.wear.wearing;
    if (on === this.wearTold) return;
    const message: UnitWear = { type: "unit-wear", on };
    let all = true;
    for (const [name, s] of this.sensors) {
      if (s.type?.wear !== undefined && !ctx.tell(sensorAddress(this.unit, name), message)) all = false;
    }
    if (all) this.wearTold = on;
  }

  /**
   * Re-assess and publish when anything a subscriber cares about changed.
   * While the worker has unit models and the unit is online, the rules'
   * assessment waits for the models' answers, which then take over the
   * operational state (and health, from RUL).
   */
  private evaluate(ctx: ActorContext): void {
    this.assessDue = false;
    const now = ctx.now();
    const startingUp = this.onlineSince !== null && now - this.onlineSince < this.settings.startupMs;
    this.wear.update(this.entries, startingUp || this.status !== "online");
    this.assessor.assess(this.view(now, startingUp), this.assessment);
    this.tellWear(ctx);
    const scoring = this.scoring;
    if (scoring !== undefined && scoring.active && this.status === "online" && this.sensors.size > 0) {
      this.ctx = ctx;
      if (scoring.start(this.sensors, this.lastReadingAt ?? now)) return;
    }
    this.modelFields = null;
    this.publishChanges(ctx);
  }

  private onModelAnswers(): void {
    const ctx = this.ctx;
    if (ctx === undefined || this.scoring === undefined) return;
    const r = this.scoring.result;
    const a = this.assessment;
    const versions: string[] = [];
    const fields: NonNullable<typeof this.modelFields> = {};
    if (r.state !== null && r.probabilities !== null && r.stateVersion !== null) {
      a.operationalState = r.state;
      a.method = "MODEL";
      fields.probabilities = r.probabilities;
      versions.push(r.stateVersion);
    }
    if (r.health !== null && r.rulHours !== null && r.rulVersion !== null) {
      a.health = r.health;
      fields.rul_hours = r.rulHours;
      versions.push(r.rulVersion);
    }
    if (versions.length > 0) fields.model_version = versions.join(",");
    this.modelFields = versions.length > 0 ? fields : null;
    this.publishChanges(ctx);
    if (r.forecastKw !== null && r.forecastVersion !== null) {
      const forecast: PowerForecast = { unit: this.unit, ts: r.ts, power_kw: r.forecastKw, model_version: r.forecastVersion };
      ctx.publish(SUBJECTS.forecast(this.unit), forecast);
    }
  }

  private publishChanges(ctx: ActorContext): void {
    const a = this.assessment;
    const p = this.published;
    const status = this.status;
    if (this.sensors.size === 0 && !this.maintenance) return; // asked about before any reading: nothing to say yet
    if (
      p !== null &&
      p.status === status &&
      p.operationalState === a.operationalState &&
      p.severity === a.severity &&
      p.category === a.category &&
      p.health === a.health
    ) {
      return;
    }
    if (p === null || p.status !== status || p.operationalState !== a.operationalState) {
      // The unit's alarms follow its status (maintenance suppresses them) and operational state.
      const signal: UnitSignal = { type: "unit-state", status, operationalState: a.operationalState };
      ctx.tell(alarmAddress(this.unit), signal);
    }
    this.published = { status, operationalState: a.operationalState, severity: a.severity, category: a.category, health: a.health };
    ctx.publish(SUBJECTS.unitState(this.unit), this.state(ctx));
  }

  private state(ctx: ActorContext): UnitState {
    const a = this.assessment;
    const sensors: Record<string, SensorSnapshot> = {};
    for (const [name, s] of this.sensors) sensors[name] = { value: s.value, ts: s.ts, quality: s.quality, anomaly: s.anomaly, score: s.score };
    return {
      unit: this.unit,
      status: this.status,
      operationalState: a.operationalState,
      severity: a.severity,
      category: a.category,
      health: a.health,
      method: a.method,
      sensors,
      lastReadingAt: this.lastReadingAt,
      updatedAt: ctx.now(),
      ...this.modelFields,
    };
  }

  snapshot(): UnitActorState {
    const sensors: UnitActorState["sensors"] = {};
    for (const [name, s] of this.sensors) {
      const { type: _type, features: _features, warm: _warm, ...plain } = s;
      sensors[name] = { ...plain, reasons: [...plain.reasons] };
    }
    return {
      v: 1,
      sensors,
      reachable: this.reachable,
      maintenance: this.maintenance,
      lastHeardAt: this.lastHeardAt,
      onlineSince: this.onlineSince,
      lastReadingAt: this.lastReadingAt,
      published: this.published === null ? null : { ...this.published },
      wearing: this.wear.wearing,
    };
  }

  restore(state: UnitActorState): void {
    if (state.v !== 1) return;
    this.sensors.clear();
    this.entries.length = 0;
    for (const [name, s] of Object.entries(state.sensors)) {
      const entry: SensorEntry = { ...s, wear: s.wear ?? 0, type: sensorTypeOf(this.sensorTypes, name)?.spec };
      this.sensors.set(name, entry);
      this.entries.push(entry);
    }
    this.reachable = state.reachable;
    this.maintenance = state.maintenance;
    this.lastHeardAt = state.lastHeardAt;
    this.onlineSince = state.onlineSince;
    this.lastReadingAt = state.lastReadingAt;
    this.published = state.published;
    this.wear.wearing = this.wearTold = state.wearing ?? false;
  }
}
