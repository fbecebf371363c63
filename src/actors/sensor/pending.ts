/**
 * Readings of one sensor between being judged and being published: a
 * reading handed to a model waits for its score, and those behind it wait
 * with it, so the sensor's processed readings go out in reading order
 * whatever scored them. Entries are pooled: the steady state allocates
 * nothing.
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

  release(e: PendingReading): void {
    e.model = null;
    if (this.free.length < 64) this.free.push(e);
  }
}
