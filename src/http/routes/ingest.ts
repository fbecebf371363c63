/**
 * POST /api/v1/ingest (operator): the node's one HTTP ingest path. A JSON
 * array of readings `{unit, sensor, value, quality?, timestamp?}` or
 * `{"readings": [...]}`, decoded by the connectors' batch decoder and
 * validated once by the gateway, like every other source; each rejection is
 * counted by reason with source `http`. Answers 202 once the accepted
 * readings are in the system, with the counts and each rejected reading by
 * its position. A body that is not a batch at all is one malformed_payload
 * rejection and a 400; one over http.maxBodyBytes is refused by the server
 * before any route runs, and counted through `ingestBodyTooLarge`.
 *
 * The body is read raw, not through a zod body validator: a batch is
 * judged reading by reading (the good ones go in), and a refusal must be
 * counted as the rejection it is. The OpenAPI entry documents the shape.
 */
import { z } from "@hono/zod-openapi";
import { parseBatch, submitBatch } from "../../actors/connectors/index.js";
import type { IngestGateway } from "../../actors/ingest/index.js";
import { QUALITIES, REJECTION_REASONS } from "../../actors/readings/index.js";
import type { RouteModule } from "../api/app.js";
import { API_PREFIX } from "../api/env.js";
import { errorJson } from "../api/errors.js";
import { errorResponses, json } from "../api/responses.js";

export const INGEST_PATH = `${API_PREFIX}/ingest`;

const readingSchema = z
  .object({
    unit: z.string().openapi({ example: "UNIT001" }),
    sensor: z.string().openapi({ example: "temperature" }),
    value: z.number(),
    quality: z.enum(QUALITIES).optional(),
    timestamp: z.union([z.string(), z.number()]).optional().openapi({ description: "ISO 8601, or epoch ms (below 1e11: epoch seconds); default: when received" }),
  })
  .openapi("IngestReading");

const answerSchema = z
  .object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    rejections: z.array(z.object({ index: z.number().int(), reason: z.enum(REJECTION_REASONS), detail: z.string() })),
  })
  .openapi("IngestAnswer");

export function ingestRoutes(gateway: IngestGateway): RouteModule {
  return (app, guard) => {
    app.openAPIRegistry.registerPath({
      method: "post",
      path: INGEST_PATH,
      tags: ["ingest"],
      summary: "A batch of readings; each is validated and the good ones go in (202), the rest are answered by index and counted",
      request: { body: { required: true, content: { "application/json": { schema: z.union([z.array(readingSchema), z.object({ readings: z.array(readingSchema) })]) } } } },
      responses: { 202: json(answerSchema, "the accepted readings are in the system"), ...errorResponses(400, 401, 403, 413, 429) },
    });
    app.post(INGEST_PATH, guard("operator"), async (c) => {
      const items = parseBatch(new Uint8Array(await c.req.arrayBuffer()));
      if (!Array.isArray(items)) {
        gateway.reject("http", items.reason, items.detail);
        return errorJson(c, 400, "VIGIL_API_BAD_REQUEST", `${items.reason}: ${items.detail}`);
      }
      const answer = await submitBatch(gateway, items, "http");
      return c.json({ accepted: answer.accepted, rejected: answer.rejected.length, rejections: answer.rejected }, 202);
    });
  };
}

/** For HttpParts.onBodyTooLarge: an ingest body over the limit is a payload_too_large rejection of source http. */
export function ingestBodyTooLarge(gateway: Pick<IngestGateway, "reject">, maxBodyBytes: number): (method: string, path: string) => void {
  return (method, path) => {
    if (method === "POST" && path.replace(/\/$/, "") === INGEST_PATH) gateway.reject("http", "payload_too_large", `request body over ${maxBodyBytes} bytes`);
  };
}
