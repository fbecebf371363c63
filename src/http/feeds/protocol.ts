/**
 * The feed protocol: what a client may send (validated here, once, with zod)
 * and the shapes the server answers with. Every frame is one JSON text
 * message with a `type`.
 *
 * Client → server:
 *   {"type":"subscribe","id"?:string,"kinds"?:[...],"units"?:[...],"sensors"?:[...]}
 *   {"type":"unsubscribe","id"?:string,"kinds"?:[...],"units"?:[...],"sensors"?:[...]}
 *   {"type":"unsubscribe","all":true}
 * A subscription is the cross product of its lists (each defaults to ["*"]),
 * so unsubscribing with the same lists undoes it exactly. A list entry is `*`,
 * an exact id, or a prefix ending in `*` (`UNIT00*`).
 *
 * Server → client:
 *   {"type":"subscribed"|"unsubscribed","id":..,"subscriptions":<count>}
 *   {"type":"snapshot","id":..,"events":[...],"last":bool}   current state matching a new subscription
 *   {"type":"events","events":[...]}                          live events, several per frame
 *   {"type":"events","conflated":true,"events":[...]}         latest per key after the client fell behind
 *   {"type":"error","code":"VIGIL_FEED_…","message":..,"id"?:..}
 */
import { z } from "zod";
import type { VigilErrorCode } from "../../runtime/errors.js";

export const FEED_KINDS = ["sensor_data", "unit_status", "alarm", "system_alert", "model_update"] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

/** Ids are subject tokens (readings/reading.ts ID_PATTERN); a pattern may end in `*`, or be `*` alone. */
export const PATTERN = /^(\*|[A-Za-z0-9_-]{1,64}\*?)$/;

/** The codes of error frames: VIGIL_FEED_MESSAGE_INVALID, VIGIL_FEED_SUBSCRIPTION_LIMIT, VIGIL_FEED_RATE_LIMITED. */
export type FeedErrorCode = Extract<VigilErrorCode, `VIGIL_FEED_${string}`>;

const MAX_LIST = 256;
const pattern = z.string().regex(PATTERN, { error: "`*`, an id of letters, digits, '-' or '_', or such an id followed by `*`" });
const patterns = z.array(pattern).min(1).max(MAX_LIST);
const kindPattern = z.union([z.enum(FEED_KINDS), z.literal("*")]);

const selection = {
  id: z.string().min(1).max(128).optional(),
  kinds: z.array(kindPattern).min(1).max(FEED_KINDS.length + 1).optional(),
  units: patterns.optional(),
  sensors: patterns.optional(),
};

export const clientMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("subscribe"), ...selection }),
  z.strictObject({ type: z.literal("unsubscribe"), ...selection, all: z.literal(true).optional() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Parses one client frame; a string describing the problem when it is not a valid message. */
export function parseClientMessage(text: string): ClientMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  return parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; ");
}

export function errorFrame(code: FeedErrorCode, message: string, id?: string): string {
  return JSON.stringify({ type: "error", code, message, ...(id === undefined ? {} : { id }) });
}

export function ackFrame(type: "subscribed" | "unsubscribed", id: string | undefined, subscriptions: number): string {
  return JSON.stringify({ type, ...(id === undefined ? {} : { id }), subscriptions });
}

/** Events are pre-serialised JSON objects; a frame only joins them. */
export function eventsFrame(events: readonly string[], conflated = false): string {
  return `{"type":"events",${conflated ? `"conflated":true,` : ""}"events":[${events.join(",")}]}`;
}

export function snapshotFrame(id: string | undefined, events: readonly string[], last: boolean): string {
  return `{"type":"snapshot",${id === undefined ? "" : `"id":${JSON.stringify(id)},`}"last":${last},"events":[${events.join(",")}]}`;
}
