/**
 * The wait before a retry: doubling from initialMs, capped at maxMs, with
 * half of it random so notifiers that failed together spread out.
 */
import { describe, expect, it } from "vitest";
import { retryDelayMs } from "../../src/notify/backoff.js";

const policy = { maxAttempts: 10, initialMs: 1000, maxMs: 60_000 };

describe("retry backoff", () => {
  it("doubles per retry between half and all of the nominal delay", () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, () => 0.999_999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it("never waits longer than maxMs", () => {
    expect(retryDelayMs(30, policy, () => 0.999_999)).toBe(60_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(30_000);
  });
});
