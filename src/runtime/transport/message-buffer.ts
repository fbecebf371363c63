/**
 * The bounded buffer behind every subscription, whichever transport feeds it.
 * Producers push synchronously; one consumer pulls through the async-iterator
 * protocol. Memory is bounded by a message count and a byte budget; past
 * either, the oldest message is dropped and counted (drop-oldest: a live
 * telemetry consumer wants the newest readings, not a backlog). The first
 * drop raises a one-shot slow-consumer signal that re-arms once the consumer
 * has caught up to half the limits, so a lagging consumer is reported once
 * per episode rather than once per message (the idea of nats.js SlowNotifier).
 */

export interface MessageBufferLimits {
  /** Most messages held; at least 1. */
  readonly maxMessages: number;
  /** Most bytes held (by `sizeOf`); the newest message is always kept. */
  readonly maxBytes: number;
}

export interface MessageBufferHooks<T> {
  readonly sizeOf: (value: T) => number;
  /** The consumer left early (`break` in `for await`): stop feeding this buffer. */
  readonly onReturn: () => void;
  /** One-shot overflow signal, called on a microtask, never inside `push`. */
  readonly onSlow?: (pending: number, dropped: number) => void;
}

const INITIAL_SLOTS = 8;

interface Waiter<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(err: unknown): void;
}

const DONE: IteratorResult<never, undefined> = Object.freeze({ done: true, value: undefined });

export class MessageBuffer<T> implements AsyncIterableIterator<T, undefined> {
  // A ring that grows by doubling up to maxMessages, so an idle subscription
  // holds a few slots rather than its whole allowance.
  private slots: (T | undefined)[] = new Array<T | undefined>(INITIAL_SLOTS);
  private head = 0;
  private len = 0;
  private bytes = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiters: Waiter<T>[] = [];
  private slowArmed = true;
  private droppedCount = 0;

  constructor(
    private readonly limits: MessageBufferLimits,
    private readonly hooks: MessageBufferHooks<T>,
  ) {}

  get pending(): number {
    return this.len;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** Adds a value; ignored once the buffer has ended. */
  push(value: T): void {
    if (this.ended) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      // The consumer is parked, so the ring is empty: hand over directly.
      waiter.resolve({ done: false, value });
      return;
    }
    const size = this.hooks.sizeOf(value);
    const droppedBefore = this.droppedCount;
    while (this.len > 0 && (this.len >= this.limits.maxMessages || this.bytes + size > this.limits.maxBytes)) {
      this.take();
      this.droppedCount++;
    }
    if (this.len === this.slots.length) this.grow();
    this.slots[(this.head + this.len) % this.slots.length] = value;
    this.len++;
    this.bytes += size;
    if (this.droppedCount !== droppedBefore && this.slowArmed) {
      this.slowArmed = false;
      this.signalSlow();
    }
  }

  /** No more values will come; buffered ones are still yielded, then the iterator ends (or throws `error`). */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    // Waiters exist only while the ring is empty, so they all finish now.
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) this.finish(w);
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.len > 0) return Promise.resolve({ done: false, value: this.consume() });
    if (this.ended) {
      return new Promise((resolve, reject) => this.finish({ resolve, reject }));
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /**
   * The oldest buffered value without waiting, or undefined when none is
   * buffered (or the consumer has left). A consumer that `for await` woke
   * takes what else arrived meanwhile this way, without a promise for each.
   */
  poll(): T | undefined {
    return this.len > 0 ? this.consume() : undefined;
  }

  /** Called by `for await` on break/throw: the consumer is gone, so unsubscribe and discard. */
  return(): Promise<IteratorResult<T, undefined>> {
    this.hooks.onReturn();
    this.end();
    this.failure = undefined;
    this.slots = [];
    this.head = 0;
    this.len = 0;
    this.bytes = 0;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(w: Waiter<T>): void {
    const failure = this.failure;
    if (failure === undefined) {
      w.resolve(DONE);
      return;
    }
    this.failure = undefined; // report the error once, then plain end
    w.reject(failure.error);
  }

  /** Takes the oldest value for the consumer. */
  private consume(): T {
    const value = this.take();
    // Re-arm only as the consumer catches up, never while push is dropping.
    if (!this.slowArmed && this.len <= this.limits.maxMessages / 2 && this.bytes <= this.limits.maxBytes / 2) {
      this.slowArmed = true;
    }
    return value;
  }

  private take(): T {
    const value = this.slots[this.head] as T;
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.len--;
    this.bytes -= this.hooks.sizeOf(value);
    return value;
  }

  private grow(): void {
    const capacity = Math.min(Math.max(this.slots.length * 2, INITIAL_SLOTS), this.limits.maxMessages);
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.len; i++) next[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = next;
    this.head = 0;
  }

  private signalSlow(): void {
    const onSlow = this.hooks.onSlow;
    if (onSlow === undefined) return;
    const pending = this.len;
    const dropped = this.droppedCount;
    queueMicrotask(() => {
      try {
        onSlow(pending, dropped);
      } catch {
        // A failing listener must not break delivery for everyone else.
      }
    });
  }
}
