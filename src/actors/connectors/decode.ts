/**
 * Turning payload bytes into what the gateway validates. Decoding only: the
 * shape is checked just enough to find the readings in a payload; whether
 * each reading is good is for the gateway's one validation to say.
 */
import type { RawReading, Rejection } from "../readings/index.js";
import { readPlainReading } from "./plain-reading.js";

/** What a single-reading payload carries besides its ids. */
export type ReadingFields = Pick<RawReading, "value" | "quality" | "timestamp">;

const utf8 = new TextDecoder("utf-8", { fatal: true });

// Devices print a bad float as a bare word; that is a bad number, not a bad format.
const NON_FINITE_WORD = /^[+-]?(nan|inf|infinity)$/i;

const PREVIEW_CHARS = 40;

export function isRejection(value: unknown): value is Rejection {
  return typeof value === "object" && value !== null && typeof (value as Partial<Rejection>).reason === "string" && !Array.isArray(value);
}

/** UTF-8 text of a payload, or a malformed_payload rejection. */
export function decodeText(bytes: Uint8Array): string | Rejection {
  try {
    return utf8.decode(bytes);
  } catch {
    return { reason: "malformed_payload", detail: "not UTF-8 text" };
  }
}

/** Parses JSON; a parse failure is a malformed_payload rejection naming what came. */
export function decodeJson(bytes: Uint8Array): { json: unknown } | Rejection {
  const text = decodeText(bytes);
  if (typeof text !== "string") return text;
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return { reason: "malformed_payload", detail: `not JSON: ${preview(text)}` };
  }
}

/**
 * A single reading's payload: a bare number (`25.5`) or
 * `{"value": 25.5, "quality": "GOOD", "timestamp": "2024-01-01T12:00:00Z"}`.
 * Bare words NaN and Infinity are handed on as values, so the gateway
 * rejects them as not_a_number.
 */
export function decodeReadingPayload(bytes: Uint8Array): ReadingFields | Rejection {
  const plain = readPlainReading(bytes);
  if (plain !== undefined) return plain;
  const text = decodeText(bytes);
  if (typeof text !== "string") return text;
  const trimmed = text.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    if (NON_FINITE_WORD.test(trimmed)) return { value: trimmed };
    return { reason: "malformed_payload", detail: `not JSON: ${preview(trimmed)}` };
  }
  if (typeof parsed !== "object" || parsed === null) return { value: parsed };
  if (Array.isArray(parsed)) return { reason: "malformed_payload", detail: "expected a number or {value, quality?, timestamp?}, got an array" };
  const fields = parsed as Record<string, unknown>;
  return { value: fields.value, quality: fields.quality, timestamp: fields.timestamp };
}

/** A short, printable piece of untrusted text for rejection details and logs. */
export function preview(text: string): string {
  const cut = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
  return JSON.stringify(cut);
}

/** "an array", "a string", "null" … for "expected X, got …" details. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const t = typeof value;
  return t === "object" ? "an object" : `a ${t}`;
}
