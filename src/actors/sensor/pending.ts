/**
 * Readings of one sensor between being judged and being published: a
 * reading handed to a model waits for its score, and those behind it wait
 * with it, so the sensor's processed readings go out in reading order
 * whatever scored them. Entries are pooled: the steady state allocates
 * nothing. What is still queued at a checkpoint goes into the sensor's
 * snapshot (WaitingReading), so a worker crash does not take it along.
 */
import type { LoadedModel } from "../../ml/index.js";
import type { IngestSource, ReadingQuality } from "../readings/index.js";

export const enum Scored {
  /** Handed to a model, its score not back yet. */
  Waiting,
  /** The model's score is in `modelScore`. */
  ByModel,
  /** Scored by the statistical detector and the rules. */
  ByRules,
}

export class PendingReading {
  ts = 0;
  value = 0;
  quality: ReadingQuality = "GOOD";
  source: IngestSource = "simulator";
  receivedAt = 0;
  /** Reason flags of the rule checks. */
  mask = 0;
  /** The rules' combined score (0 when none fired). */
  rules = 0;
  /** The statistical detector's score (the fallback). */
  statistical = 0;
  scored = Scored.ByRules;
  modelScore = 0;
  model: LoadedModel | null = null;
  /** Holds its message's in-flight credit (ActorContext.holdCredit) until published; never true for a restored one. */
  credit = false;
}

/**
 * A queued reading as kept in the sensor's snapshot: what it takes to
 * publish it by the rules (a model's answer does not survive its worker).
 */
export interface WaitingReading {
  ts: number;
  value: number;
  quality: ReadingQuality;
  source: IngestSource;
  receivedAt: number;
  mask: number;
  rules: number;
  statistical: number;
}

export class PendingReadings {
  private items: PendingReading[] = [];
  private head = 0;
  /** The sequence number of items[head]. */
  private headSeq = 0;
  private readonly free: PendingReading[] = [];

  get size(): number {
    return this.items.length - this.head;
  }

  /** The sequence number the next pushed entry gets: a model's tag for it. */
  get nextSeq(): number {
    return this.headSeq + this.size;
  }

  /** A clean entry to fill (not queued until `push`). */
  take(): PendingReading {
    const e = this.free.pop() ?? new PendingReading();
    e.model = null;
    e.scored = Scored.ByRules;
    e.credit = false;
    return e;
  }

  push(e: PendingReading): void {
    this.items.push(e);
  }

  /** The queued entry with sequence number `seq`. */
  at(seq: number): PendingReading | undefined {
    const i = seq - this.headSeq;
    return i >= 0 && i < this.size ? this.items[this.head + i] : undefined;
  }

  peek(): PendingReading | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Drops the head entry (after it was published) back into the pool. */
  shift(): void {
    const e = this.items[this.head];
    if (e === undefined) return;
    this.head++;
    this.headSeq++;
    this.release(e);
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Every queued entry, oldest first, as plain data. */
  waiting(): WaitingReading[] {
    const out: WaitingReading[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const e = this.items[i] as PendingReading;
      out.push({ ts: e.ts, value: e.value, quality: e.quality, source: e.source, receivedAt: e.receivedAt, mask: e.mask, rules: e.rules, statistical: e.statistical });
    }
    return out;
  }

  /** Replaces the queue with `waiting` (from a snapshot), every entry to be scored by the rules. */
  restore(waiting: readonly WaitingReading[]): void {
    while (this.size > 0) this.shift();
    for (const w of waiting) {
      // Its fields are the entry's own: copied over as they are; scored stays ByRules.
      this.push(Object.assign(this.take(), w));
    }
  }

  release(e: PendingReading): void {
    e.model = null;
    if (this.free.length < 64) this.free.push(e);
  }
}
