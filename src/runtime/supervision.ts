/**
 * Supervision policies, declared per actor kind, and the pure decision logic
 * that applies them. No timers or I/O here: the shard asks `decide` what to
 * do and schedules it with its injected clock.
 */

export interface BackoffPolicy {
  /** @default 100 */
  minMs: number;
  /** @default 10_000 (10 seconds) */
  maxMs: number;
  /** @default 2 */
  factor: number;
}

export type SupervisionPolicy =
  | {
      strategy: "restart";
      /** Restarts allowed within `withinMs` before `onExhausted` applies. */
      maxRestarts: number;
      withinMs: number;
      backoff: BackoffPolicy;
      onExhausted: "stop" | "escalate";
    }
  /** Keep the instance and its state, drop the failing message. */
  | { strategy: "resume" }
  /** Deactivate: pending messages become dead letters; the next message activates a fresh instance from the last snapshot. */
  | { strategy: "stop" }
  /** Stop the actor and tell its parent (a `ChildFailed` message). */
  | { strategy: "escalate" };

export const DEFAULT_BACKOFF: BackoffPolicy = { minMs: 100, maxMs: 10_000, factor: 2 };

export const DEFAULT_SUPERVISION: SupervisionPolicy = {
  strategy: "restart",
  maxRestarts: 5,
  withinMs: 60_000, // 1 minute
  backoff: DEFAULT_BACKOFF,
  onExhausted: "stop",
};

export type SupervisionDecision =
  | { action: "restart"; delayMs: number }
  | { action: "resume" }
  | { action: "stop" }
  | { action: "escalate" };

/** Restart history of one actor: the timestamps of recent restarts. */
export class RestartHistory {
  private times: number[] = [];

  count(now: number, withinMs: number): number {
    this.times = this.times.filter((t) => now - t < withinMs);
    return this.times.length;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

/** The delay before restart number `attempt` (0-based): min·factor^attempt, capped at max. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  return Math.min(policy.maxMs, policy.minMs * Math.pow(policy.factor, attempt));
}

export function decide(policy: SupervisionPolicy, history: RestartHistory, now: number): SupervisionDecision {
  switch (policy.strategy) {
    case "resume":
      return { action: "resume" };
    case "stop":
      return { action: "stop" };
    case "escalate":
      return { action: "escalate" };
    case "restart": {
      const recent = history.count(now, policy.withinMs);
      if (recent >= policy.maxRestarts) return { action: policy.onExhausted };
      history.record(now);
      return { action: "restart", delayMs: backoffDelay(policy.backoff, recent) };
    }
  }
}
