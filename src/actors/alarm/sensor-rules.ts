/**
 * The alarm rules of one sensor, evaluated inside its sensor actor on every
 * reading: a loop over the compiled atoms (src/rules/atoms.ts) with the
 * rule's deadband and on/off delays (in reading time), allocating nothing
 * unless a condition changes — then one RuleSignal goes to `alarm/<unit>`.
 *
 * Stale conditions need time to pass without readings: one re-armed timer
 * (`stale-check`) per sensor that has any, never one per reading.
 */
import type { ActorContext } from "../../runtime/index.js";
import { AtomKind, NO_ATOMS, type RuleBook, type SensorAtoms } from "../../rules/index.js";
import type { ReadingQuality } from "../readings/index.js";
import type { RuleSignal } from "./messages.js";
import { alarmAddress } from "./transition.js";

/** The sensor's own timer message for stale conditions. */
export interface StaleCheck {
  readonly type: "stale-check";
}

export const STALE_CHECK: StaleCheck = { type: "stale-check" };

export interface SensorRulesState {
  /** `rule#part` of the atoms whose condition holds. */
  active: string[];
  prevValue: number | null;
  prevTs: number | null;
  lastArrival: number | null;
  /** The rule set version `active` was computed against. */
  version: number;
}

export class SensorRules {
  private version = -1;
  private atoms: SensorAtoms = NO_ATOMS;
  /**
   * Per atom i: [i] 1 while its condition holds, else 0; [n + i] the reading
   * time the condition started to differ from that, NaN when it does not.
   * One array per sensor: the atoms themselves are shared (RuleBook cache).
   */
  private state = new Float64Array(0);
  private prevValue = Number.NaN;
  private prevTs = Number.NaN;
  private lastArrival = Number.NaN;
  private staleArmed = false;
  private readonly alarm: string;
  /** Active atoms carried over a restore or a rule change, until compiled against. */
  private carried: Set<string> | null = null;
  /** A restored sensor's rule version: a book older than it (a just restarted worker) clears nothing it does not know. */
  private floorVersion = 0;
  /** Rate per second since the previous trusted reading, for every rate atom of this reading. */
  private rate = Number.NaN;

  constructor(
    private readonly book: RuleBook,
    private readonly unit: string,
    private readonly sensor: string,
  ) {
    this.alarm = alarmAddress(unit);
  }

  onReading(value: number, quality: ReadingQuality, ts: number, score: number, ctx: ActorContext): void {
    if (this.version !== this.book.version) this.recompile(ctx);
    const atoms = this.atoms;
    const n = atoms.length;
    const bad = quality === "BAD";
    if (!bad && Number.isFinite(this.prevTs) && ts > this.prevTs) {
      this.rate = ((value - this.prevValue) * 1000) / (ts - this.prevTs);
    } else {
      this.rate = Number.NaN;
    }
    for (let i = 0; i < n; i++) {
      const kind = atoms.kinds[i] as number;
      const was = this.state[i] === 1;
      let now: boolean;
      if (kind === AtomKind.stale) {
        now = false; // a reading has arrived
      } else if (kind === AtomKind.qualityBad) {
        now = bad;
      } else {
        if (bad) continue; // a BAD value is not evidence either way
        const db = was ? (atoms.deadband[i] as number) : 0;
        const a = atoms.a[i] as number;
        switch (kind) {
          case AtomKind.greaterThan:
            now = value > a - db;
            break;
          case AtomKind.lessThan:
            now = value < a + db;
            break;
          case AtomKind.outsideRange:
            now = value < a + db || value > (atoms.b[i] as number) - db;
            break;
          case AtomKind.anomalyScore:
            now = score >= a - db;
            break;
          default: {
            const r = kind === AtomKind.rateRise ? this.rate : kind === AtomKind.rateFall ? -this.rate : Math.abs(this.rate);
            if (Number.isNaN(r)) continue;
            now = r > a - db;
          }
        }
      }
      if (now === was) {
        this.state[n + i] = Number.NaN;
        continue;
      }
      const delay = was ? (atoms.offDelayMs[i] as number) : (atoms.onDelayMs[i] as number);
      if (delay > 0) {
        const since = this.state[n + i] as number;
        if (Number.isNaN(since)) {
          this.state[n + i] = ts;
          continue;
        }
        if (ts - since < delay) continue;
      }
      this.flip(i, now, value, ts, ctx);
    }
    if (!bad) {
      this.prevValue = value;
      this.prevTs = ts;
    }
    if (atoms.hasStale) {
      this.lastArrival = ctx.now();
      if (!this.staleArmed) this.armStale(ctx, this.nextStaleDue());
    }
  }

  /** The stale-check timer fired: raise what has gone quiet long enough, re-arm for the rest. */
  onStaleCheck(ctx: ActorContext): void {
    this.staleArmed = false;
    if (this.version !== this.book.version) this.recompile(ctx);
    if (!this.atoms.hasStale || Number.isNaN(this.lastArrival)) return;
    const quiet = ctx.now() - this.lastArrival;
    const atoms = this.atoms;
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < atoms.length; i++) {
      if (atoms.kinds[i] !== AtomKind.stale || this.state[i] === 1) continue;
      const after = atoms.a[i] as number;
      if (quiet >= after) this.flip(i, true, null, ctx.now(), ctx);
      else next = Math.min(next, after - quiet);
    }
    if (Number.isFinite(next)) this.armStale(ctx, next);
  }

  /** After a restart or passivation: timers are gone, pick the stale watch up again. */
  onActivate(ctx: ActorContext): void {
    if (this.version !== this.book.version) this.recompile(ctx);
    if (this.atoms.hasStale && !Number.isNaN(this.lastArrival)) this.armStale(ctx, Math.max(0, this.nextStaleDue() - (ctx.now() - this.lastArrival)));
  }

  private nextStaleDue(): number {
    let next = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.atoms.length; i++) if (this.atoms.kinds[i] === AtomKind.stale) next = Math.min(next, this.atoms.a[i] as number);
    return next;
  }

  private armStale(ctx: ActorContext, delayMs: number): void {
    if (!Number.isFinite(delayMs)) return;
    this.staleArmed = true;
    ctx.schedule(delayMs, STALE_CHECK);
  }

  private flip(i: number, active: boolean, value: number | null, ts: number, ctx: ActorContext): void {
    const signal: RuleSignal = { type: "signal", rule: this.atoms.ruleIds[i] as string, part: this.atoms.parts[i] as number, sensor: this.sensor, active, value, ts };
    // Refused under backpressure: leave the state as it was, so the next reading tries again.
    if (!ctx.tell(this.alarm, signal)) return;
    this.state[i] = active ? 1 : 0;
    this.state[this.atoms.length + i] = Number.NaN;
  }

  /**
   * Compile against the book's current version, keeping the state of atoms
   * that survive (same rule and part); an active atom whose rule is gone or
   * no longer watches this sensor is cleared, so its alarm does not linger.
   */
  private recompile(ctx: ActorContext): void {
    const before = this.activeKeys();
    for (const key of this.carried ?? []) before.add(key);
    this.carried = null;
    const atoms = this.book.sensorAtoms(this.unit, this.sensor);
    this.version = this.book.version;
    this.atoms = atoms;
    this.state = new Float64Array(2 * atoms.length).fill(Number.NaN, atoms.length);
    for (let i = 0; i < atoms.length; i++) {
      const key = `${atoms.ruleIds[i]}#${atoms.parts[i]}`;
      if (before.delete(key)) this.state[i] = 1;
    }
    if (this.book.version < this.floorVersion) {
      this.carried = before.size > 0 ? before : null;
      return;
    }
    for (const key of before) {
      const hash = key.lastIndexOf("#");
      const signal: RuleSignal = { type: "signal", rule: key.slice(0, hash), part: Number(key.slice(hash + 1)), sensor: this.sensor, active: false, value: null, ts: ctx.now() };
      ctx.tell(this.alarm, signal);
    }
  }

  private activeKeys(): Set<string> {
    const keys = new Set<string>();
    for (let i = 0; i < this.atoms.length; i++) if (this.state[i] === 1) keys.add(`${this.atoms.ruleIds[i]}#${this.atoms.parts[i]}`);
    return keys;
  }

  snapshot(): SensorRulesState {
    return {
      active: [...this.activeKeys(), ...(this.carried ?? [])],
      prevValue: Number.isNaN(this.prevValue) ? null : this.prevValue,
      prevTs: Number.isNaN(this.prevTs) ? null : this.prevTs,
      lastArrival: Number.isNaN(this.lastArrival) ? null : this.lastArrival,
      version: Math.max(this.version, this.floorVersion),
    };
  }

  restore(state: SensorRulesState | undefined): void {
    if (state === undefined) return;
    this.carried = new Set(state.active);
    this.floorVersion = state.version;
    this.version = -1; // compile on first use, against whatever version this worker has then
    this.prevValue = state.prevValue ?? Number.NaN;
    this.prevTs = state.prevTs ?? Number.NaN;
    this.lastArrival = state.lastArrival ?? Number.NaN;
  }
}
