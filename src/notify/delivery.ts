/**
 * The delivery queue of one notifier: takes items from dispatch (and those a
 * previous process left in the outbox), writes each durably, and delivers
 * them with at most `concurrency` attempts in flight, each limited to
 * `timeoutMs`. A failed attempt is retried after an exponential, jittered
 * wait; after `maxAttempts` (or at once, when the peer refused the item
 * itself) it becomes a dead letter on disk.
 *
 * Nothing here waits on the peer from the caller's side: `enqueue` is
 * synchronous and the queue runs on timers and promises behind it.
 *
 * Order: items start in sequence order, but with concurrency > 1 and retries
 * they may arrive out of order; receivers order by `at` and dedupe by `id`.
 *
 * Cost: an item is either in the ready line (due now), in flight, or waiting
 * on its own retry timer, so each step is O(1) however many items a long
 * outage piles up.
 */
import type { Logger } from "../runtime/log.js";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import { isVigilError } from "../runtime/errors.js";
import { retryDelayMs, type RetryPolicy } from "./backoff.js";
import type { NotifyMetrics } from "./metrics.js";
import type { AlarmNotification, DeadLetter } from "./notification.js";
import type { Notifier } from "./notifiers/notifier.js";
import type { NotifierOutbox, StoredItem } from "./outbox.js";
import type { Secrets } from "./secrets.js";

interface Item {
  readonly seq: number;
  readonly notification: AlarmNotification;
  /** Settles once the item is on disk (or writing it failed: it is still delivered from memory). */
  readonly written: Promise<void>;
  attempts: number;
  firstAttemptAt: number | null;
  lastAttemptAt: number | null;
  /** The wait before its next attempt, while it has one. */
  retryTimer: TimerHandle | undefined;
}

export interface DeliveryOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly maxPending: number;
  readonly retry: RetryPolicy;
}

export interface DeliveryDeps {
  readonly log: Logger;
  readonly metrics: NotifyMetrics;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly random?: () => number;
}

export class DeliveryQueue {
  /** Every item not yet delivered or dead-lettered. */
  private readonly items = new Set<Item>();
  /** Items due for an attempt, oldest first. */
  private readonly ready: Item[] = [];
  private inFlight = 0;
  private closed = false;
  /** Set from the first notification refused for a full outbox until the queue drains below its bound: one log line per episode. */
  private overflowing = false;
  private readonly stop = new AbortController();
  private readonly work = new Set<Promise<void>>();

  constructor(
    private readonly notifier: Notifier,
    private readonly outbox: NotifierOutbox,
    private readonly options: DeliveryOptions,
    private readonly deps: DeliveryDeps,
    restored: readonly StoredItem[],
  ) {
    for (const { seq, notification } of restored) {
      const item = this.item(seq, notification, Promise.resolve());
      this.items.add(item);
      this.ready.push(item);
    }
    this.gauge();
    this.pump();
  }

  get pending(): number {
    return this.items.size;
  }

  /** Queues the notification (durably, behind) and returns at once. */
  enqueue(notification: AlarmNotification): void {
    if (this.closed) return;
    const seq = this.outbox.claimSeq();
    if (this.items.size >= this.options.maxPending) {
      // Declared overflow: rather than hold unbounded memory, the item goes straight to the dead letters (on disk, listed).
      if (!this.overflowing) this.deps.log.error({ notifier: this.notifier.name, maxPending: this.options.maxPending }, "notification outbox full; new notifications go to the dead letters until it drains");
      this.overflowing = true;
      this.track(this.bury({ seq, notification }, null, null, 0, `outbox full: ${this.options.maxPending} notifications already pending for ${this.notifier.name}`));
      return;
    }
    const written = this.outbox.write(seq, notification).catch((err: unknown) => {
      this.deps.log.error({ notifier: this.notifier.name, notification: notification.id, err: this.describe(err) }, "notification not written to the outbox; delivering from memory only");
    });
    const item = this.item(seq, notification, written);
    this.items.add(item);
    this.gauge();
    this.track(
      written.then(() => {
        this.ready.push(item);
        this.pump();
      }),
    );
  }

  /** Stops starting attempts, abandons those in flight (they stay in the outbox) and waits for every disk write. */
  async close(): Promise<void> {
    this.closed = true;
    for (const item of this.items) item.retryTimer?.cancel();
    this.stop.abort();
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private item(seq: number, notification: AlarmNotification, written: Promise<void>): Item {
    return { seq, notification, written, attempts: 0, firstAttemptAt: null, lastAttemptAt: null, retryTimer: undefined };
  }

  private track(p: Promise<void>): void {
    this.work.add(p);
    void p.finally(() => this.work.delete(p));
  }

  /** Starts attempts for due items while there is a free slot. */
  private pump(): void {
    while (!this.closed && this.inFlight < this.options.concurrency) {
      const item = this.ready.shift();
      if (item === undefined) return;
      this.track(this.attempt(item));
    }
  }

  private async attempt(item: Item): Promise<void> {
    this.inFlight++;
    const now = this.deps.clock.now();
    item.attempts++;
    item.firstAttemptAt ??= now;
    item.lastAttemptAt = now;
    const name = this.notifier.name;
    try {
      await this.sendWithin(item.notification);
      this.deps.metrics.sent.inc({ notifier: name });
      this.drop(item);
      await item.written;
      await this.outbox.remove(item.seq).catch((err: unknown) => {
        // Left on disk it is sent again after a restart: a duplicate the receiver drops by id, never a loss.
        this.deps.log.warn({ notifier: name, notification: item.notification.id, err: this.describe(err) }, "delivered notification not removed from the outbox");
      });
    } catch (err) {
      if (this.closed) return; // abandoned by close(): stays in the outbox for the next process
      this.deps.metrics.failedAttempts.inc({ notifier: name });
      const reason = this.describe(err);
      const refused = isVigilError(err, "VIGIL_NOTIFY_DELIVERY_REFUSED");
      if (refused || item.attempts >= this.options.retry.maxAttempts) {
        this.drop(item);
        this.deps.log.error({ notifier: name, notification: item.notification.id, attempts: item.attempts, reason }, refused ? "notification refused by the peer; dead-lettered" : "notification dead-lettered after its last try");
        await item.written;
        await this.bury(item, item.firstAttemptAt, item.lastAttemptAt, item.attempts, reason);
      } else {
        const delay = retryDelayMs(item.attempts, this.options.retry, this.deps.random);
        item.retryTimer = this.deps.clock.setTimer(delay, () => {
          item.retryTimer = undefined;
          this.ready.push(item);
          this.pump();
        });
        this.deps.metrics.retries.inc({ notifier: name });
        this.deps.log.warn({ notifier: name, notification: item.notification.id, attempt: item.attempts, retryInMs: delay, reason }, "notification delivery failed; will retry");
      }
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  /**
   * One attempt, bounded by the timeout even if the notifier ignores its signal.
   * The timer is our own and held until the attempt settles: Node 20's
   * AbortSignal.any holds an AbortSignal.timeout only weakly, so a garbage
   * collection during a hung attempt dropped the timeout and the attempt held
   * its concurrency slot for ever (nodejs/node#57736).
   */
  private async sendWithin(notification: AlarmNotification): Promise<void> {
    const attempt = new AbortController();
    let reject: ((e: Error) => void) | undefined;
    const aborted = new Promise<never>((_, r) => {
      reject = r;
    });
    const abort = (reason: string): void => {
      const error = new Error(reason);
      attempt.abort(error);
      reject?.(error);
    };
    const onStop = (): void => abort("closing");
    const timer = setTimeout(() => abort(`no answer within ${this.options.timeoutMs} ms`), this.options.timeoutMs);
    if (this.stop.signal.aborted) onStop();
    else this.stop.signal.addEventListener("abort", onStop, { once: true });
    try {
      await Promise.race([this.notifier.send(notification, attempt.signal), aborted]);
    } finally {
      clearTimeout(timer);
      this.stop.signal.removeEventListener("abort", onStop);
    }
  }

  private drop(item: Item): void {
    this.items.delete(item);
    if (this.items.size < this.options.maxPending) this.overflowing = false;
    this.gauge();
  }

  private async bury(item: StoredItem, firstAttemptAt: number | null, lastAttemptAt: number | null, attempts: number, lastError: string): Promise<void> {
    const letter: DeadLetter = { notifier: this.notifier.name, notification: item.notification, attempts, firstAttemptAt, lastAttemptAt, lastError, deadAt: this.deps.clock.now() };
    this.deps.metrics.deadLetters.inc({ notifier: this.notifier.name });
    await this.outbox.bury(item.seq, letter).catch((err: unknown) => {
      this.deps.log.error({ notifier: this.notifier.name, notification: item.notification.id, err: this.describe(err) }, "dead letter not written");
    });
  }

  private gauge(): void {
    this.deps.metrics.pending.set({ notifier: this.notifier.name }, this.items.size);
  }

  /** An error as one line with every secret scrubbed out: library messages may quote URLs or credentials. */
  private describe(err: unknown): string {
    const parts: string[] = [];
    let e: unknown = err;
    for (let depth = 0; e !== undefined && depth < 4; depth++) {
      parts.push(e instanceof Error ? e.message : typeof e === "string" ? e : "a non-error was thrown");
      e = e instanceof Error ? e.cause : undefined;
    }
    return this.deps.secrets.scrub(parts.join(": "));
  }
}
