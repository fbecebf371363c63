/**
 * The one validation of a reading, shared by every connector: a zod schema
 * for the shape, then the checks that need context (clock, known units).
 * Returns a Reading or a Rejection with its reason; never throws on bad input.
 */
import { z } from "zod";
import { ID_PATTERN, QUALITIES, type IngestSource, type Reading, type ReadingQuality } from "./reading.js";
import type { Rejection, RejectionReason } from "./rejections.js";

/** What a connector hands over after decoding its protocol: ids plus a loosely typed value. */
export interface RawReading {
  unit: unknown;
  sensor: unknown;
  value: unknown;
  quality?: unknown;
  /** ISO 8601 string, or epoch milliseconds (a number below 1e11 is taken as epoch seconds). */
  timestamp?: unknown;
}

/**
 * A reading whose shape its decoder has checked, exactly as wellFormed
 * checks it: ids that ID_PATTERN accepts, a finite number, a quality spelt
 * as QUALITIES spell it, a finite numeric timestamp. Made only by a decoder
 * that checks all of it (connectors/plain-batch.ts reads them off a batch's
 * bytes); validateReading takes it for wellFormed's verdict, so a batch's
 * readings are not looked over twice, and makes the checks that need context.
 */
export class CheckedReading implements RawReading {
  constructor(
    readonly unit: string,
    readonly sensor: string,
    readonly value: number,
    readonly quality: ReadingQuality | undefined,
    readonly timestamp: number | undefined,
  ) {}
}

export interface ReadingLimits {
  /** Readings stamped further ahead than this are rejected. @default 5 minutes */
  maxFutureMs: number;
  /** Readings older than this are rejected (batch import has its own path). @default 7 days */
  maxAgeMs: number;
  /** When set, readings for other units are rejected as unknown_unit. */
  knownUnits?: ReadonlySet<string>;
}

export const DEFAULT_READING_LIMITS: ReadingLimits = {
  maxFutureMs: 5 * 60 * 1000, // 5 minutes: generous for device clock drift
  maxAgeMs: 7 * 24 * 60 * 60 * 1000, // 7 days: a gateway's store-and-forward backlog
};

const EPOCH_SECONDS_BELOW = 1e11; // 1e11 ms is 1973; 1e11 s is the year 5138

const id = z.string().regex(ID_PATTERN);
const schema = z.object({
  unit: id,
  sensor: id,
  // z.number() refuses NaN and ±Infinity.
  value: z.number(),
  quality: z
    .string()
    .transform((q) => q.toUpperCase())
    .pipe(z.enum(QUALITIES))
    .optional(),
  timestamp: z.union([z.number(), z.string().min(1)]).optional(),
});

const REASON_BY_FIELD: Record<string, RejectionReason> = {
  unit: "invalid_id",
  sensor: "invalid_id",
  value: "not_a_number",
  quality: "invalid_quality",
  timestamp: "timestamp_out_of_range",
};

export function validateReading(
  raw: RawReading,
  source: IngestSource,
  now: number,
  limits: ReadingLimits = DEFAULT_READING_LIMITS,
): Reading | Rejection {
  let r: WellFormed | undefined = raw instanceof CheckedReading ? raw : wellFormed(raw);
  if (r === undefined) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "");
      return { reason: REASON_BY_FIELD[field] ?? "malformed_payload", detail: `${field || "reading"}: ${issue?.message ?? "invalid"}, got ${show(raw[field as keyof RawReading])}` };
    }
    r = parsed.data;
  }
  const ts = r.timestamp === undefined ? now : toEpochMs(r.timestamp);
  if (ts === undefined) return { reason: "timestamp_out_of_range", detail: `timestamp: not a date, got ${show(r.timestamp)}` };
  if (ts > now + limits.maxFutureMs) return { reason: "timestamp_out_of_range", detail: `timestamp: ${new Date(ts).toISOString()} is in the future` };
  if (ts < now - limits.maxAgeMs) return { reason: "timestamp_out_of_range", detail: `timestamp: ${new Date(ts).toISOString()} is too old` };
  if (limits.knownUnits !== undefined && !limits.knownUnits.has(r.unit)) {
    return { reason: "unknown_unit", detail: `unit: "${r.unit}" is not a known unit` };
  }
  const quality: ReadingQuality = r.quality ?? "GOOD";
  return { unit: r.unit, sensor: r.sensor, value: r.value, quality, ts, source, receivedAt: now };
}

type WellFormed = z.output<typeof schema>;

const QUALITY_SET: ReadonlySet<string> = new Set(QUALITIES);

/**
 * The schema's own verdict for a reading it accepts, without its generic
 * walk: this runs once per reading on the ingest path. Undefined for
 * anything else, which then goes through the schema for its reason.
 */
function wellFormed(raw: RawReading): WellFormed | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const { unit, sensor, value, quality, timestamp } = raw;
  if (typeof unit !== "string" || !ID_PATTERN.test(unit) || typeof sensor !== "string" || !ID_PATTERN.test(sensor)) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  let q: ReadingQuality | undefined;
  if (quality !== undefined) {
    if (typeof quality !== "string") return undefined;
    const upper = quality.toUpperCase();
    if (!QUALITY_SET.has(upper)) return undefined;
    q = upper as ReadingQuality;
  }
  if (timestamp !== undefined && !(typeof timestamp === "number" ? Number.isFinite(timestamp) : typeof timestamp === "string" && timestamp.length > 0)) return undefined;
  return { unit, sensor, value, quality: q, timestamp: timestamp as number | string | undefined };
}

export function isRejection(r: Reading | Rejection): r is Rejection {
  return (r as Rejection).reason !== undefined;
}

function toEpochMs(t: number | string): number | undefined {
  if (typeof t === "number") {
    if (!Number.isFinite(t)) return undefined;
    return t < EPOCH_SECONDS_BELOW ? t * 1000 : t;
  }
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === "number") return String(v);
  if (v === undefined) return "nothing";
  return typeof v;
}
