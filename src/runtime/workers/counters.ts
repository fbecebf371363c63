/**
 * Counters shared by every thread through one SharedArrayBuffer, three per
 * worker:
 * - inflight: credited messages (backpressure kinds) sent to the worker and not
 *   yet handled; senders refuse past the budget, the worker releases them;
 * - posted: every envelope sent to the worker (added by senders per batch);
 * - settled: every envelope the worker has dropped, or handled with its effect
 *   on actor state already posted to main in a snapshot. Only the worker
 *   writes it, and only after that post, so after a crash `posted - settled`
 *   is exactly what was lost: never handled, or handled but rolled back.
 */
const FIELDS = 3;
const INFLIGHT = 0;
const POSTED = 1;
const SETTLED = 2;

export class WorkerCounters {
  readonly view: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.view = new Int32Array(buffer);
  }

  static create(workers: number): WorkerCounters {
    return new WorkerCounters(new SharedArrayBuffer(workers * FIELDS * Int32Array.BYTES_PER_ELEMENT));
  }

  inflight(worker: number): number {
    return Atomics.load(this.view, worker * FIELDS + INFLIGHT);
  }

  /** Take `n` credits if the worker is under budget; false means refuse. */
  tryAcquire(worker: number, n: number, budget: number): boolean {
    const slot = worker * FIELDS + INFLIGHT;
    // Compare-and-swap, so senders on several threads cannot overshoot together.
    for (;;) {
      const current = Atomics.load(this.view, slot);
      if (current >= budget) return false;
      if (Atomics.compareExchange(this.view, slot, current, current + n) === current) return true;
    }
  }

  release(worker: number, n: number): void {
    const slot = worker * FIELDS + INFLIGHT;
    Atomics.sub(this.view, slot, n);
    Atomics.notify(this.view, slot);
  }

  /** Resolves once the worker's in-flight count is below budget. */
  async waitBelow(worker: number, budget: number): Promise<void> {
    const slot = worker * FIELDS + INFLIGHT;
    for (;;) {
      const current = Atomics.load(this.view, slot);
      if (current < budget) return;
      const waited = Atomics.waitAsync(this.view, slot, current, 100);
      if (waited.async) await waited.value;
    }
  }

  addPosted(worker: number, n: number): void {
    Atomics.add(this.view, worker * FIELDS + POSTED, n);
  }

  /** Called by the worker itself only. */
  settle(worker: number, n: number): void {
    this.view[worker * FIELDS + SETTLED] = ((this.view[worker * FIELDS + SETTLED] ?? 0) + n) | 0;
  }

  /** After a worker died: what it never settled. Resets its counters for the replacement. */
  takeLost(worker: number): number {
    const base = worker * FIELDS;
    const lost = (Atomics.load(this.view, base + POSTED) - Atomics.load(this.view, base + SETTLED)) | 0;
    Atomics.store(this.view, base + INFLIGHT, 0);
    Atomics.store(this.view, base + POSTED, 0);
    Atomics.store(this.view, base + SETTLED, 0);
    return lost;
  }
}
