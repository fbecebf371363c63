/**
 * The alarms of one unit (`alarm/<unit>`, on its unit's shard worker): one
 * record per (rule, sensor), deduplicated, each moving through the
 * lifecycle in the spirit of ISA-18.2 —
 *
 *   normal ──condition──▶ active_unacknowledged ──ack──▶ active_acknowledged
 *      ▲                        │ condition gone               │ condition gone
 *      │                        ▼                              ▼
 *      └────────ack──── cleared_unacknowledged            normal
 *
 * plus shelved (by an operator, for a duration, then back) and suppressed
 * (while the unit is in maintenance or a parent rule's alarm is active).
 * Every transition is published as an AlarmTransition. Sensor conditions
 * arrive already debounced (SensorRules); unit-level rules (operational
 * state, all/any of several sensors) are debounced here with timers.
 */
import { VigilError, type Actor, type ActorContext } from "../../runtime/index.js";
import { FLOOD_RULE_ID, renderMessage, SYSTEM_RULE_PREFIX, type Rule, type RuleBook } from "../../rules/index.js";
import type { OperationalState, UnitStatus } from "../readings/index.js";
import type { AlarmCommandResult, AlarmMessage, AlarmTimer, FeedbackCommand, OperatorCommand, RuleSignal, ShelveCommand, UnitSignal } from "./messages.js";
import { isActiveState, newRecord, type AlarmRecord } from "./record.js";
import { ALARM_SUBJECTS, alarmIdOf, type AlarmEvent, type AlarmStateName, type AlarmTransition, type AlarmView } from "./transition.js";

export interface AlarmActorOptions {
  unit: string;
  book: RuleBook;
  /** The operator area the unit belongs to, or null. */
  area: string | null;
  /** Notify again when still unacknowledged after this long; 0: never. */
  escalationDelayMs: number;
  /** The longest an operator may shelve an alarm for. */
  maxShelveMs: number;
}

export interface AlarmActorState {
  v: 1;
  records: AlarmRecord[];
  seq: number;
  status: UnitStatus | null;
  operationalState: OperationalState | null;
  /** The rule set version the records were last checked against. */
  version: number;
}

export class AlarmActor implements Actor<AlarmMessage, AlarmActorState> {
  private readonly records = new Map<string, AlarmRecord>();
  private seq = 0;
  private status: UnitStatus | null = null;
  private operationalState: OperationalState | null = null;
  private seenVersion = -1;
  /** A restored actor's rule version: a worker whose book is older (just restarted) must not end alarms its book does not know yet. */
  private floorVersion = 0;
  private readonly unit: string;
  private readonly book: RuleBook;

  constructor(private readonly o: AlarmActorOptions) {
    this.unit = o.unit;
    this.book = o.book;
  }

  onActivate(ctx: ActorContext): void {
    // Timers do not survive a restart: arm again what the records still wait for.
    const now = ctx.now();
    for (const r of this.records.values()) {
      if (r.shelvedUntil !== null) this.armTimer(ctx, "shelve-expired", r, Math.max(0, r.shelvedUntil - now));
      if (r.state === "active_unacknowledged" && !r.escalated && this.o.escalationDelayMs > 0 && r.raisedAt !== null) {
        this.armTimer(ctx, "escalate", r, Math.max(0, r.raisedAt + this.o.escalationDelayMs - now));
      }
      if (r.pendingSince !== null) {
        const rule = this.book.rule(r.rule);
        const delay = rule === undefined ? 0 : r.raw ? rule.onDelayMs : rule.offDelayMs;
        this.armTimer(ctx, "delay-due", r, Math.max(0, r.pendingSince + delay - now));
      }
    }
  }

  receive(m: AlarmMessage, ctx: ActorContext): unknown {
    if (typeof m !== "object" || m === null) return undefined;
    if (this.seenVersion !== this.book.version) this.onRulesChanged(ctx);
    switch (m.type) {
      case "signal":
        this.onSignal(m, ctx);
        return undefined;
      case "unit-state":
        this.onUnit(m, ctx);
        return undefined;
      case "ack":
      case "shelve":
      case "unshelve":
      case "feedback":
        try {
          return { ok: true, alarm: this.onCommand(m, ctx) } satisfies AlarmCommandResult;
        } catch (err) {
          // An operator's mistake is an answer, not an actor failure worth a restart.
          if (err instanceof VigilError) return { ok: false, code: err.code, message: err.message } satisfies AlarmCommandResult;
          throw err;
        }
      case "list":
        return [...this.records.values()].filter((r) => m.all === true || r.state !== "normal").map((r) => this.view(r));
      case "rules-changed":
        return undefined;
      case "shelve-expired":
      case "escalate":
      case "delay-due":
        this.onTimer(m, ctx);
        return undefined;
    }
  }

  // ---- conditions -----------------------------------------------------------

  private onSignal(s: RuleSignal, ctx: ActorContext): void {
    const rule = this.book.rule(s.rule);
    const sensor = s.part >= 0 ? null : s.sensor;
    const id = alarmIdOf(this.unit, s.rule, sensor);
    if (rule === undefined || !this.applies(rule)) {
      // A rule removed while its condition held: let the alarm go.
      const r = this.records.get(id);
      if (r !== undefined && !s.active) this.setCondition(r, false, s.rule, ctx);
      return;
    }
    let r = this.records.get(id);
    if (r === undefined) {
      if (!s.active) return;
      r = this.create(id, rule.id, sensor, ctx);
    }
    if (s.active && s.value !== null) r.value = s.value;
    if (s.part < 0) {
      this.setCondition(r, s.active, rule.id, ctx);
      return;
    }
    r.parts[s.part] = s.active;
    const c = rule.condition;
    const count = c.type === "all" || c.type === "any" ? c.conditions.length : 0;
    let holding = 0;
    for (let i = 0; i < count; i++) if (r.parts[i] === true) holding++;
    this.applyRaw(r, rule, c.type === "all" ? holding === count : holding > 0, ctx);
  }

  private onUnit(u: UnitSignal, ctx: ActorContext): void {
    const maintenanceChanged = (this.status === "maintenance") !== (u.status === "maintenance");
    this.status = u.status;
    const stateChanged = this.operationalState !== u.operationalState;
    this.operationalState = u.operationalState;
    if (stateChanged) this.evaluateStateRules(ctx);
    if (maintenanceChanged) for (const r of [...this.records.values()]) this.reconcile(r, "system", ctx);
  }

  private evaluateStateRules(ctx: ActorContext): void {
    const opState = this.operationalState;
    if (opState === null) return;
    for (const rule of this.book.unitRules(this.unit)) {
      if (rule.condition.type !== "operational_state") continue;
      const raw = rule.condition.states.includes(opState);
      const id = alarmIdOf(this.unit, rule.id, null);
      let r = this.records.get(id);
      if (r === undefined) {
        if (!raw) continue;
        r = this.create(id, rule.id, null, ctx);
      }
      this.applyRaw(r, rule, raw, ctx);
    }
  }

  /** A unit-level rule's raw condition, through its on/off delay. */
  private applyRaw(r: AlarmRecord, rule: Rule, raw: boolean, ctx: ActorContext): void {
    r.raw = raw;
    if (raw === r.condition) {
      r.pendingSince = null;
      r.delayToken++;
      return;
    }
    const delay = raw ? rule.onDelayMs : rule.offDelayMs;
    if (delay === 0) {
      this.setCondition(r, raw, rule.id, ctx);
      return;
    }
    if (r.pendingSince !== null) return;
    r.pendingSince = ctx.now();
    this.armTimer(ctx, "delay-due", r, delay);
  }

  private setCondition(r: AlarmRecord, condition: boolean, by: string, ctx: ActorContext): void {
    r.condition = condition;
    r.pendingSince = null;
    this.reconcile(r, by, ctx);
  }

  /** Bring the state in line with the condition, shelving and suppression. */
  private reconcile(r: AlarmRecord, by: string, ctx: ActorContext): void {
    if (r.shelvedUntil !== null) return; // shelved: the condition is tracked, nothing is announced
    const suppressedBy = this.suppression(r);
    if (suppressedBy !== null) {
      r.suppressedBy = suppressedBy;
      if (r.state !== "suppressed") this.transition(r, "suppressed", "suppressed", "system", null, ctx);
      return;
    }
    if (r.state === "suppressed") {
      r.suppressedBy = null;
      this.transition(r, "unsuppressed", "normal", "system", null, ctx);
    }
    switch (r.state) {
      case "normal":
      case "cleared_unacknowledged":
        if (r.condition) this.raise(r, by, ctx);
        return;
      case "active_unacknowledged":
        if (!r.condition) this.transition(r, "cleared", "cleared_unacknowledged", by, null, ctx);
        return;
      case "active_acknowledged":
        if (!r.condition) this.transition(r, "cleared", "normal", by, null, ctx);
        return;
      default:
        return;
    }
  }

  private raise(r: AlarmRecord, by: string, ctx: ActorContext): void {
    r.raisedAt = ctx.now();
    r.escalated = false;
    r.acknowledgedBy = null;
    r.comment = null;
    r.feedback = null;
    this.transition(r, "raised", "active_unacknowledged", by, null, ctx);
    if (this.o.escalationDelayMs > 0) this.armTimer(ctx, "escalate", r, this.o.escalationDelayMs);
  }

  private suppression(r: AlarmRecord): AlarmRecord["suppressedBy"] {
    if (r.rule.startsWith(SYSTEM_RULE_PREFIX)) return null;
    if (this.status === "maintenance") return "maintenance";
    const parent = this.book.rule(r.rule)?.parent;
    if (parent !== undefined) {
      for (const other of this.records.values()) if (other.rule === parent && isActiveState(other.state)) return "parent";
    }
    return null;
  }

  // ---- operators ------------------------------------------------------------

  private onCommand(c: OperatorCommand, ctx: ActorContext): AlarmView {
    const r = this.records.get(c.alarmId);
    if (r === undefined) throw new VigilError("VIGIL_ALARM_NOT_FOUND", `no alarm "${c.alarmId}"`);
    const comment = c.comment ?? null;
    switch (c.type) {
      case "ack":
        if (r.state === "active_unacknowledged") this.transition(r, "acknowledged", "active_acknowledged", c.by, comment, ctx);
        else if (r.state === "cleared_unacknowledged") this.transition(r, "acknowledged", "normal", c.by, comment, ctx);
        else throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `alarm "${c.alarmId}" is ${r.state}: nothing to acknowledge`);
        r.acknowledgedBy = c.by;
        r.comment = comment;
        break;
      case "shelve":
        this.shelve(r, c, ctx);
        break;
      case "unshelve":
        if (r.state !== "shelved") throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `alarm "${c.alarmId}" is ${r.state}, not shelved`);
        this.unshelve(r, c.by, comment, ctx);
        break;
      case "feedback":
        this.feedback(r, c, ctx);
        break;
    }
    return this.view(r);
  }

  private shelve(r: AlarmRecord, c: ShelveCommand, ctx: ActorContext): void {
    if (!Number.isInteger(c.durationMs) || c.durationMs < 1 || c.durationMs > this.o.maxShelveMs) {
      throw new VigilError("VIGIL_ALARM_COMMAND_INVALID", `shelve durationMs: expected a whole number from 1 to ${this.o.maxShelveMs}, got ${String(c.durationMs)}`);
    }
    r.shelvedUntil = ctx.now() + c.durationMs;
    r.suppressedBy = null;
    this.armTimer(ctx, "shelve-expired", r, c.durationMs);
    // Shelving again only moves the end.
    if (r.state !== "shelved") this.transition(r, "shelved", "shelved", c.by, c.comment ?? null, ctx);
  }

  private unshelve(r: AlarmRecord, by: string, comment: string | null, ctx: ActorContext): void {
    r.shelvedUntil = null;
    r.shelveToken++;
    this.transition(r, "unshelved", "normal", by, comment, ctx);
    this.reconcile(r, by, ctx);
  }

  private feedback(r: AlarmRecord, c: FeedbackCommand, ctx: ActorContext): void {
    r.feedback = c.feedback;
    this.transition(r, "feedback", r.state, c.by, c.comment ?? null, ctx, c.feedback);
  }

  // ---- timers ---------------------------------------------------------------

  private armTimer(ctx: ActorContext, type: AlarmTimer["type"], r: AlarmRecord, delayMs: number): void {
    const token = type === "shelve-expired" ? ++r.shelveToken : type === "escalate" ? ++r.escalateToken : ++r.delayToken;
    const timer: AlarmTimer = { type, key: r.id, token };
    ctx.schedule(delayMs, timer);
  }

  private onTimer(t: AlarmTimer, ctx: ActorContext): void {
    const r = this.records.get(t.key);
    if (r === undefined) return;
    switch (t.type) {
      case "shelve-expired":
        if (t.token === r.shelveToken && r.state === "shelved") this.unshelve(r, "system", "shelving expired", ctx);
        return;
      case "escalate":
        if (t.token === r.escalateToken && r.state === "active_unacknowledged" && !r.escalated) {
          r.escalated = true;
          this.transition(r, "escalated", r.state, "system", null, ctx);
        }
        return;
      case "delay-due":
        if (t.token === r.delayToken && r.raw !== r.condition) this.setCondition(r, r.raw, r.rule, ctx);
        return;
    }
  }

  // ---- rules ----------------------------------------------------------------

  private applies(rule: Rule): boolean {
    if (rule.id.startsWith(SYSTEM_RULE_PREFIX)) return true;
    return rule.enabled && (rule.unit === "*" || rule.unit === this.unit);
  }

  /** Alarms whose rule is gone, disabled or moved off this unit end; new state rules look at the current state. */
  private onRulesChanged(ctx: ActorContext): void {
    this.seenVersion = this.book.version;
    if (this.book.version < this.floorVersion) return;
    for (const r of [...this.records.values()]) {
      const rule = this.book.rule(r.rule);
      if (rule !== undefined && this.applies(rule)) continue;
      if (r.state !== "normal") this.transition(r, "removed", "normal", "rules", null, ctx);
      this.records.delete(r.id);
    }
    this.evaluateStateRules(ctx);
  }

  // ---- output ---------------------------------------------------------------

  private create(id: string, rule: string, sensor: string | null, ctx: ActorContext): AlarmRecord {
    const r = newRecord(id, rule, sensor, ctx.now());
    this.records.set(id, r);
    return r;
  }

  private transition(r: AlarmRecord, event: AlarmEvent, to: AlarmStateName, by: string, comment: string | null, ctx: ActorContext, feedback?: AlarmTransition["feedback"]): void {
    const from = r.state;
    const wasActive = isActiveState(from);
    r.state = to;
    r.updatedAt = ctx.now();
    const t: AlarmTransition = {
      alarmId: r.id,
      seq: ++this.seq,
      event,
      from,
      to,
      at: r.updatedAt,
      by,
      comment,
      ...this.described(r),
      ...(feedback === undefined ? {} : { feedback }),
    };
    ctx.publish(ALARM_SUBJECTS.transition(this.unit, event), t);
    // A parent's alarm coming or going changes its children's suppression.
    if (wasActive !== isActiveState(to)) {
      for (const child of [...this.records.values()]) if (child !== r && this.book.rule(child.rule)?.parent === r.rule) this.reconcile(child, "system", ctx);
    }
  }

  /** What a transition and a view both say about an alarm, its rule's severity, category and message now. */
  private described(r: AlarmRecord): Pick<AlarmView, "rule" | "unit" | "sensor" | "severity" | "category" | "message" | "value" | "raisedAt" | "area"> {
    const rule = this.book.rule(r.rule);
    return {
      rule: r.rule,
      unit: this.unit,
      sensor: r.sensor,
      severity: rule?.severity ?? "LOW",
      category: rule?.category ?? "UNKNOWN",
      message: rule === undefined ? `rule ${r.rule} (removed)` : renderMessage(rule.message, { value: r.value, unit: this.unit, sensor: r.sensor, rule: rule.id, severity: rule.severity }),
      value: r.value,
      raisedAt: r.raisedAt,
      area: r.rule === FLOOD_RULE_ID ? r.sensor : this.o.area,
    };
  }

  private view(r: AlarmRecord): AlarmView {
    return {
      id: r.id,
      ...this.described(r),
      state: r.state,
      condition: r.condition,
      acknowledgedBy: r.acknowledgedBy,
      comment: r.comment,
      shelvedUntil: r.shelvedUntil,
      suppressedBy: r.state === "suppressed" ? r.suppressedBy : null,
      escalated: r.escalated,
      feedback: r.feedback,
      updatedAt: r.updatedAt,
    };
  }

  snapshot(): AlarmActorState {
    return {
      v: 1,
      records: [...this.records.values()].map((r) => ({ ...r, parts: [...r.parts] })),
      seq: this.seq,
      status: this.status,
      operationalState: this.operationalState,
      version: Math.max(this.seenVersion, this.floorVersion),
    };
  }

  restore(state: AlarmActorState): void {
    if (state.v !== 1) return;
    this.records.clear();
    for (const r of state.records) this.records.set(r.id, { ...r, parts: [...r.parts] });
    this.seq = state.seq;
    this.status = state.status;
    this.operationalState = state.operationalState;
    this.floorVersion = state.version;
    this.seenVersion = -1;
  }
}
