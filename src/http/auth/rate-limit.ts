/**
 * Per-key rate limits: a token bucket per caller, refilled continuously at
 * `perSecond` up to `burst`. One request takes one token; without one the
 * caller is told when the next token arrives (Retry-After).
 */
export interface RateLimitSettings {
  /** 0: no limit. */
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    const { perSecond, burst } = this.settings;
    if (perSecond === 0) return { ok: true };
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      // Keys are few (configured ones), so the map stays small without eviction.
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }
}
