/**
 * HTTP batch ingest as a Hono app: `POST /api/v1/ingest/readings` with a
 * JSON array of readings or `{"readings": [...]}`. Answers 202
 * `{accepted, rejected: [{index, reason, detail}]}` once the accepted
 * readings are in the system; 413 or 400 `{code, message}` for a body that
 * is too large or unusable (counted as one payload_too_large or
 * malformed_payload rejection). Never a stack trace.
 *
 * Kept apart from the server (server.ts) so that the control API can mount
 * these routes in its own app: `api.route("/", createIngestRoutes(...))`.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { IngestGateway } from "../../ingest/index.js";
import { parseBatch, submitBatch } from "../batch.js";
import { isRejection } from "../decode.js";

export const INGEST_READINGS_PATH = "/api/v1/ingest/readings";

export interface IngestRoutesOptions {
  readonly gateway: IngestGateway;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  readonly log: Logger;
}

/** The JSON body of every 4xx/5xx answer. */
export interface HttpError {
  readonly code: string;
  readonly message: string;
}

export function createIngestRoutes(options: IngestRoutesOptions): Hono {
  const { gateway, maxBodyBytes, log } = options;
  const app = new Hono();
  app.post(
    INGEST_READINGS_PATH,
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        const r = gateway.reject("http", "payload_too_large", `request body over ${maxBodyBytes} bytes`);
        return c.json<HttpError>({ code: r.reason, message: `the body is larger than ${maxBodyBytes} bytes` }, 413);
      },
    }),
    async (c) => {
      const items = parseBatch(new Uint8Array(await c.req.arrayBuffer()));
      if (isRejection(items)) {
        gateway.reject("http", items.reason, items.detail);
        return c.json<HttpError>({ code: items.reason, message: items.detail }, 400);
      }
      return c.json(await submitBatch(gateway, items, "http"), 202);
    },
  );
  app.notFound((c) => c.json<HttpError>({ code: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    log.error({ err, path: c.req.path }, "http ingest failed");
    return c.json<HttpError>({ code: "internal_error", message: "the request could not be handled" }, 500);
  });
  return app;
}
