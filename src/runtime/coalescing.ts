/**
 * The waiting messages of an actor whose kind coalesces (ActorKind.coalesce),
 * by key: where the next tell with the same key is merged instead of queued.
 * Only envelopes still in the mailbox are here; the shard tells it when one
 * leaves (handed to the actor, dropped, drained).
 */
import type { Coalescing } from "./actor.js";
import { CREDIT_LOCAL, type Envelope } from "./envelope.js";

export class WaitingByKey {
  /**
   * The waiting envelope of each key; null once it left. Keys are kept, not
   * deleted: a small Map that has entries added and deleted all the time
   * shrinks and regrows its table, an allocation every few messages, while
   * setting one to null is free. They are few (an actor's senders) and go
   * with the activation.
   */
  private readonly waiting = new Map<string, Envelope | null>();

  constructor(private readonly rule: Coalescing) {}

  /** The key `env` merges under: undefined for an ask, a message from another thread, or one without a key. */
  keyOf(env: Envelope): string | undefined {
    if (env.ask !== 0 || env.credit !== CREDIT_LOCAL) return undefined;
    return this.rule.key(env.msg);
  }

  /** Merges `env` into the waiting envelope of `key`: false when none waits (queue it, then `queued`). */
  merge(key: string, env: Envelope): boolean {
    const waiting = this.waiting.get(key);
    if (waiting === undefined || waiting === null) return false;
    waiting.msg = this.rule.merge(waiting.msg, env.msg);
    return true;
  }

  /** `env`, of `key`, is now in the mailbox: the next tell of its key merges into it. */
  queued(key: string, env: Envelope): void {
    this.waiting.set(key, env);
  }

  /** `env` left the mailbox: a later tell of its key is queued afresh. */
  left(env: Envelope): void {
    const key = this.keyOf(env);
    if (key !== undefined && this.waiting.get(key) === env) this.waiting.set(key, null);
  }

  /** The mailbox was emptied at once (drained). */
  clear(): void {
    this.waiting.clear();
  }
}
