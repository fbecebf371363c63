/**
 * The `http` section: the one server (src/http) that answers the control
 * API, the WebSocket feeds and the dashboard — where it listens, how large a
 * request may be, who may call it (API keys by role, stored as hashes), how
 * fast, from which browser origins, and where registered devices are kept.
 */
import { z } from "zod";
import { durationMs, flag, port, section, text, textMatching, wholeNumber } from "./fields.js";

/** Mirrors src/http's roles; config may not import HTTP. */
export const API_ROLES = ["viewer", "operator", "admin"] as const;

// A key id appears in audit entries and logs: keep it plain.
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export const apiKeySchema = z.strictObject(
  {
    id: textMatching(KEY_ID, "a key id: letters, digits, '_', '.' or '-'").describe("Names the caller in the audit trail and logs; never secret."),
    role: z.enum(API_ROLES, { error: `one of ${API_ROLES.map((r) => JSON.stringify(r)).join(", ")}` }).describe("viewer (reads) < operator (acknowledge, shelve, ingest, maintenance) < admin (rules, devices, audit)."),
    sha256: textMatching(SHA256_HEX, "64 lowercase hex digits (the SHA-256 of the key)").describe("SHA-256 of the key, lowercase hex, as `vigil api-key` prints it; the key itself is never stored."),
  },
  { error: "an API key entry {id, role, sha256}" },
);

export const httpSchema = section({
  enabled: flag().describe("Serve the control API, WebSocket feeds and dashboard; off: no HTTP port at all (a node fed and read over NATS only)."),
  host: text().describe("Address to listen on; beyond loopback only with `keys` configured."),
  port: port().describe("Port of the API, feeds and dashboard; 0 picks a free one."),
  maxBodyBytes: wholeNumber(1).describe("Largest request body accepted, in bytes; larger ones are refused with 413."),
  drainTimeoutMs: durationMs(0).describe("At shutdown, how long requests in flight may take to finish before connections are closed."),
  // A list of objects: set in the config file only.
  keys: z
    .array(apiKeySchema, { error: "a list of API keys {id, role, sha256}" })
    .describe("API keys `{id, role, sha256}` (config file only). Empty: `vigil start` makes a one-time admin key, prints it on stderr and binds to loopback only."),
  cors: section({
    origins: z.array(text(), { error: "a list of origins" }).describe("Browser origins allowed to call the API, e.g. https://ops.example.com; empty: none; `*`: any."),
  }).describe("Cross-origin requests from browsers."),
  rateLimit: section({
    perSecond: wholeNumber(0).describe("Requests per second each key may make on average; 0: no limit."),
    burst: wholeNumber(1).describe("Requests a key may make at once above the average."),
  }).describe("Per-key token bucket; over it the answer is 429 with Retry-After."),
  auditEntries: wholeNumber(1).describe("Control actions (every non-GET request) kept in memory for GET /api/v1/audit; all of them go to the log."),
  devicesFile: text().describe("Registered devices (POST /api/v1/devices) are kept in this JSON file; its directory is created."),
}).describe("The HTTP server: control API, WebSocket feeds and dashboard on one port; keys, limits, CORS.");

export type HttpConfig = z.infer<typeof httpSchema>;
export type ApiKeyConfig = z.infer<typeof apiKeySchema>;
export type ApiRoleName = (typeof API_ROLES)[number];
