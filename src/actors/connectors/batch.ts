/**
 * Batches of readings, as NATS gateways and HTTP clients send them: a JSON
 * array of `{unit, sensor, value, quality?, timestamp?}`, or `{readings: [...]}`.
 * Parsed once and handed to the gateway in one `submitMany`; the answer
 * names each rejected reading by its position in the batch. The common
 * bodies are read straight from their bytes (plain-batch.ts), the rest by
 * JSON.parse, with the same verdicts either way.
 */
import type { IngestGateway } from "../ingest/index.js";
import type { IngestSource, RawReading, Rejection, RejectionReason } from "../readings/index.js";
import { decodeJson, describeType, isRejection } from "./decode.js";
import { readPlainBatch } from "./plain-batch.js";

export interface RejectedItem {
  /** Position of the reading in the batch, from 0. */
  readonly index: number;
  readonly reason: RejectionReason;
  readonly detail: string;
}

/** What a batch's sender is told once the accepted readings are in the system. */
export interface BatchAnswer {
  readonly accepted: number;
  readonly rejected: RejectedItem[];
}

/** The readings of a batch body, or why the body as a whole is unusable. */
export function parseBatch(bytes: Uint8Array): unknown[] | Rejection {
  return readPlainBatch(bytes) ?? parseJsonBatch(bytes);
}

/** parseBatch by JSON.parse, for any body: what the plain reader leaves to it. */
export function parseJsonBatch(bytes: Uint8Array): unknown[] | Rejection {
  const decoded = decodeJson(bytes);
  if (isRejection(decoded)) return decoded;
  const body = decoded.json;
  if (Array.isArray(body)) return body as unknown[];
  if (typeof body === "object" && body !== null && Array.isArray((body as { readings?: unknown }).readings)) {
    return (body as { readings: unknown[] }).readings;
  }
  return { reason: "malformed_payload", detail: `expected an array of readings or {"readings": [...]}, got ${describeType(body)}` };
}

/**
 * Submits a batch's items. Items that are not objects are rejected here as
 * malformed_payload (counted by the gateway); every object goes through the
 * gateway's one validation. Resolves once every accepted reading is taken.
 */
export async function submitBatch(gateway: IngestGateway, items: readonly unknown[], source: IngestSource): Promise<BatchAnswer> {
  const notObjects: RejectedItem[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      const r = gateway.reject(source, "malformed_payload", `expected {unit, sensor, value, quality?, timestamp?}, got ${describeType(item)}`);
      notObjects.push({ index: i, reason: r.reason, detail: r.detail });
    }
  }
  if (notObjects.length === 0) {
    // The common case: the parsed objects go in as they are, no copies.
    const result = await gateway.submitMany(items as RawReading[], source);
    return { accepted: result.accepted, rejected: result.rejections.map(({ index, reason, detail }) => ({ index, reason, detail })) };
  }
  const positions: number[] = [];
  const raws: RawReading[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      positions.push(i);
      raws.push(item as RawReading);
    }
  }
  const result = await gateway.submitMany(raws, source);
  const rejected = [...notObjects, ...result.rejections.map(({ index, reason, detail }) => ({ index: positions[index] ?? index, reason, detail }))];
  rejected.sort((a, b) => a.index - b.index);
  return { accepted: result.accepted, rejected };
}
