/**
 * The wait before retry number `attempt` (1 = the first retry): exponential
 * from `initialMs`, capped at `maxMs`, with "equal jitter" — half the delay
 * fixed, half random — so notifiers that failed together do not retry in
 * lockstep, yet never retry sooner than half the nominal delay.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialMs: number;
  readonly maxMs: number;
}

export function retryDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
