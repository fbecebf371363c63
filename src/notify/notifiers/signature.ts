/**
 * The webhook signature: HMAC-SHA256 over `<timestamp>.<raw body>` with the
 * notifier's key, sent as
 *
 *   x-vigil-timestamp: <epoch ms of the attempt>
 *   x-vigil-signature: v1=<hex digest>
 *
 * Signing the timestamp with the body lets a receiver refuse a captured
 * request replayed later (older than its tolerance), and a retry is signed
 * afresh. `verifyWebhookSignature` is what a receiver written in TypeScript
 * can use; any language with HMAC-SHA256 can do the same in a few lines.
 *
 * @example
 *   const ok = verifyWebhookSignature({ key, body: rawBody, timestamp: req.headers["x-vigil-timestamp"],
 *     signature: req.headers["x-vigil-signature"], now: Date.now(), toleranceMs: 5 * 60 * 1000 });
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "x-vigil-timestamp";
export const SIGNATURE_HEADER = "x-vigil-signature";
export const ID_HEADER = "x-vigil-notification-id";
const VERSION = "v1=";

export function signWebhook(key: string, timestamp: number, body: string): string {
  return VERSION + createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");
}

export interface WebhookToVerify {
  readonly key: string;
  /** The request body exactly as received (before any JSON parsing). */
  readonly body: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly now: number;
  readonly toleranceMs: number;
}

/** True when the signature matches and the timestamp is within the tolerance of `now`. */
export function verifyWebhookSignature(w: WebhookToVerify): boolean {
  if (w.timestamp === undefined || w.signature === undefined || !/^\d+$/.test(w.timestamp)) return false;
  const ts = Number(w.timestamp);
  if (Math.abs(w.now - ts) > w.toleranceMs) return false;
  const expected = Buffer.from(signWebhook(w.key, ts, w.body));
  const given = Buffer.from(w.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
