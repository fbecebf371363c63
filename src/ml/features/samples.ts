/**
 * The samples a stream's windows share: one ring of (timestamp, value) that
 * holds what the widest window needs, plus a monotonic deque each for the
 * minimum and the maximum. All windows end at the newest sample, so one pair
 * of deques serves every window: a window's minimum is the first deque entry
 * at or after the window's start (a binary search).
 *
 * Everything lives in one Float64Array ([ts | values | min deque | max deque],
 * each `capacity` long) because a node holds hundreds of thousands of these.
 * Samples are addressed by sequence number (0, 1, 2, … since creation);
 * `seq & mask` is the slot.
 */

const INITIAL_CAPACITY = 16;

export class SampleStore {
  private capacity: number;
  private mask: number;
  private buf: Float64Array;
  private readonly maxCapacity: number;
  /** Sequence number the next sample gets. */
  head = 0;
  /** Sequence number of the oldest sample kept. */
  tail = 0;
  // Deque positions are running counters too; an entry's slot is `pos & mask`.
  private minFront = 0;
  private minBack = 0;
  private maxFront = 0;
  private maxBack = 0;

  /** @param limit samples kept at most; the owner drops the oldest before exceeding it */
  constructor(limit: number) {
    this.maxCapacity = nextPowerOfTwo(limit);
    this.capacity = Math.min(INITIAL_CAPACITY, this.maxCapacity);
    this.mask = this.capacity - 1;
    this.buf = new Float64Array(this.capacity * 4);
  }

  get size(): number {
    return this.head - this.tail;
  }

  ts(seq: number): number {
    return this.buf[seq & this.mask] as number;
  }

  value(seq: number): number {
    return this.buf[this.capacity + (seq & this.mask)] as number;
  }

  /** Appends a sample and returns its sequence number. The owner keeps `size` under the limit. */
  push(ts: number, value: number): number {
    if (this.head - this.tail === this.capacity) this.grow();
    const seq = this.head++;
    const cap = this.capacity;
    const buf = this.buf;
    const slot = seq & this.mask;
    buf[slot] = ts;
    buf[cap + slot] = value;
    // Min deque: values strictly increasing from front to back.
    while (this.minBack > this.minFront && this.value(buf[2 * cap + ((this.minBack - 1) & this.mask)] as number) >= value) this.minBack--;
    buf[2 * cap + (this.minBack++ & this.mask)] = seq;
    // Max deque: values strictly decreasing from front to back.
    while (this.maxBack > this.maxFront && this.value(buf[3 * cap + ((this.maxBack - 1) & this.mask)] as number) <= value) this.maxBack--;
    buf[3 * cap + (this.maxBack++ & this.mask)] = seq;
    return seq;
  }

  /** Forgets every sample before `seq`. */
  dropBefore(seq: number): void {
    if (seq <= this.tail) return;
    this.tail = seq;
    const cap = this.capacity;
    while (this.minFront < this.minBack && (this.buf[2 * cap + (this.minFront & this.mask)] as number) < seq) this.minFront++;
    while (this.maxFront < this.maxBack && (this.buf[3 * cap + (this.maxFront & this.mask)] as number) < seq) this.maxFront++;
  }

  /** Smallest value from sequence `start` to the newest sample (start must be kept and not after the newest). */
  minFrom(start: number): number {
    return this.value(this.firstAtOrAfter(2, this.minFront, this.minBack, start));
  }

  /** Largest value from sequence `start` to the newest sample. */
  maxFrom(start: number): number {
    return this.value(this.firstAtOrAfter(3, this.maxFront, this.maxBack, start));
  }

  /** Writes minFrom(start) to out[at] and maxFrom(start) to out[at + 1]: no number returned, so none boxed. */
  writeMinMax(start: number, out: Float64Array, at: number): void {
    const values = this.capacity;
    out[at] = this.buf[values + (this.firstAtOrAfter(2, this.minFront, this.minBack, start) & this.mask)] as number;
    out[at + 1] = this.buf[values + (this.firstAtOrAfter(3, this.maxFront, this.maxBack, start) & this.mask)] as number;
  }

  /** Forget everything (sequence numbers start again at 0). */
  clear(): void {
    this.head = this.tail = 0;
    this.minFront = this.minBack = this.maxFront = this.maxBack = 0;
  }

  /** Binary search in deque `part` for the first entry whose sequence is >= start. */
  private firstAtOrAfter(part: number, front: number, back: number, start: number): number {
    const base = part * this.capacity;
    let lo = front;
    let hi = back - 1; // the newest sample is always the last entry, and start <= newest
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if ((this.buf[base + (mid & this.mask)] as number) < start) lo = mid + 1;
      else hi = mid;
    }
    return this.buf[base + (lo & this.mask)] as number;
  }

  private grow(): void {
    const oldCap = this.capacity;
    const oldMask = this.mask;
    const old = this.buf;
    const cap = Math.min(oldCap * 2, this.maxCapacity);
    if (cap === oldCap) throw new RangeError(`SampleStore: more than ${this.maxCapacity} samples kept`);
    const mask = cap - 1;
    const buf = new Float64Array(cap * 4);
    for (let s = this.tail; s < this.head; s++) {
      buf[s & mask] = old[s & oldMask] as number;
      buf[cap + (s & mask)] = old[oldCap + (s & oldMask)] as number;
    }
    for (let p = this.minFront; p < this.minBack; p++) buf[2 * cap + (p & mask)] = old[2 * oldCap + (p & oldMask)] as number;
    for (let p = this.maxFront; p < this.maxBack; p++) buf[3 * cap + (p & mask)] = old[3 * oldCap + (p & oldMask)] as number;
    this.capacity = cap;
    this.mask = mask;
    this.buf = buf;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
