/**
 * Pending asks of one endpoint (the main thread or a shard), keyed by a
 * numeric id that travels with the request and comes back with the reply.
 */
import type { Clock, TimerHandle } from "./clock.js";
import { VigilError } from "./errors.js";

interface PendingAsk {
  tag: number | undefined;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: TimerHandle;
}

export class AskTable {
  private nextId = 1;
  private readonly pending = new Map<number, PendingAsk>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.pending.size;
  }

  /** `tag` groups asks (e.g. by the worker they went to) so they can be failed together. */
  create<R>(to: string, timeoutMs: number, tag?: number): { id: number; promise: Promise<R> } {
    const id = this.nextId++;
    const promise = new Promise<R>((resolve, reject) => {
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(new VigilError("VIGIL_ASK_TIMEOUT", `ask to ${to} got no reply within ${timeoutMs} ms`));
      });
      this.pending.set(id, { tag, resolve: resolve, reject, timer });
    });
    return { id, promise };
  }

  resolve(id: number, value: unknown): void {
    const p = this.pending.get(id);
    if (p === undefined) return; // timed out already: a late reply is dropped
    this.pending.delete(id);
    p.timer.cancel();
    p.resolve(value);
  }

  reject(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    p.timer.cancel();
    p.reject(err);
  }

  rejectAll(err: Error, tag?: number): void {
    for (const [id, p] of [...this.pending]) if (tag === undefined || p.tag === tag) this.reject(id, err);
  }
}
