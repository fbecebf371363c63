/**
 * Every 4xx/5xx answer of the API: `{"error": {"code": "VIGIL_…", "message": "…"}}`.
 * Callers branch on `code` (stable, the VigilErrorCode of src/runtime/errors.ts);
 * `message` is for people and may improve. A stack trace never leaves the server.
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ApiEnv } from "./env.js";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isVigilError, type VigilErrorCode } from "../../runtime/index.js";

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VIGIL_API_BAD_REQUEST" }),
      message: z.string(),
    }),
  })
  .openapi("Error");

export interface ErrorBody {
  readonly error: { readonly code: VigilErrorCode; readonly message: string };
}

export function errorBody(code: VigilErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

export function errorJson(c: Context<ApiEnv>, status: ContentfulStatusCode, code: VigilErrorCode, message: string, headers?: Record<string, string>): Response {
  c.set("errorCode", code);
  return c.json(errorBody(code, message), status, headers);
}

/** The HTTP status a domain error maps to; anything not listed is a 500. */
const STATUS_BY_CODE: Partial<Record<VigilErrorCode, ContentfulStatusCode>> = {
  VIGIL_API_BAD_REQUEST: 400,
  VIGIL_API_UNAUTHORIZED: 401,
  VIGIL_API_FORBIDDEN: 403,
  VIGIL_API_NOT_FOUND: 404,
  VIGIL_API_METHOD_NOT_ALLOWED: 405,
  VIGIL_API_PAYLOAD_TOO_LARGE: 413,
  VIGIL_API_RATE_LIMITED: 429,
  VIGIL_API_MODEL_UNKNOWN: 404,
  VIGIL_API_FEATURE_MISSING: 400,
  VIGIL_API_BATCH_TOO_LARGE: 413,
  VIGIL_API_OVERLOADED: 503,
  VIGIL_FORECAST_NOT_FOUND: 404,
  VIGIL_RULE_INVALID: 400,
  VIGIL_ALARM_COMMAND_INVALID: 400,
  VIGIL_ADDRESS_INVALID: 400,
  VIGIL_RULE_NOT_FOUND: 404,
  VIGIL_ALARM_NOT_FOUND: 404,
  VIGIL_UNIT_NOT_FOUND: 404,
  VIGIL_SENSOR_NOT_FOUND: 404,
  VIGIL_DEVICE_NOT_FOUND: 404,
  VIGIL_MODEL_NOT_FOUND: 404,
  VIGIL_DEVICE_EXISTS: 409,
  VIGIL_RULE_EXISTS: 409,
  VIGIL_MODEL_TRANSITION_INVALID: 409,
  VIGIL_SIMULATOR_UNKNOWN_UNIT: 404,
  VIGIL_SIMULATOR_BAD_SCENARIO: 400,
  VIGIL_SIMULATOR_DISABLED: 409,
  VIGIL_CONNECTOR_DISABLED: 409,
  VIGIL_TRAINING_UNAVAILABLE: 409,
  VIGIL_MODEL_CORRUPT: 409,
  VIGIL_MODEL_INCOMPATIBLE: 409,
  VIGIL_MODEL_REGISTRY_UNAVAILABLE: 503,
  VIGIL_MQTT_TOPIC_EXISTS: 409,
  VIGIL_MQTT_TOPIC_INVALID: 400,
  VIGIL_MQTT_SUBSCRIBE_FAILED: 502,
  VIGIL_MQTT_TOPIC_UNKNOWN: 404,
  VIGIL_MQTT_NOT_CONNECTED: 503,
  VIGIL_OPCUA_UNKNOWN_ENDPOINT: 404,
  VIGIL_OPCUA_ENDPOINT_EXISTS: 409,
  VIGIL_OPCUA_NODE_MAPPED: 409,
  // In a cluster: another node holds the endpoint's lease and connects it; the request belongs there.
  VIGIL_OPCUA_HELD_ELSEWHERE: 409,
  VIGIL_OPCUA_NODE_NOT_MAPPED: 404,
  VIGIL_OPCUA_BAD_NODE: 404,
  VIGIL_OPCUA_NOT_CONNECTED: 503,
  VIGIL_OPCUA_CONNECT_FAILED: 502,
  VIGIL_MAILBOX_FULL: 503,
  VIGIL_SYSTEM_STOPPED: 503,
  VIGIL_ACTOR_STOPPED: 503,
  VIGIL_TRANSPORT_CLOSED: 503,
  VIGIL_HISTORY_DISABLED: 503,
  VIGIL_STORE_QUERY_FAILED: 503,
  VIGIL_ASK_TIMEOUT: 504,
  VIGIL_API_OWNER_UNREACHABLE: 503,
  // Applied on the owner, but its partition moved before a snapshot kept it: the action may be lost.
  VIGIL_API_ACTION_NOT_DURABLE: 503,
};

/** Status and body for an error thrown by a handler: VigilErrors keep their code; others become VIGIL_API_INTERNAL. */
export function errorAnswer(err: unknown): { status: ContentfulStatusCode; body: ErrorBody; internal: boolean } {
  if (isVigilError(err)) {
    const status = STATUS_BY_CODE[err.code];
    if (status !== undefined) return { status, body: errorBody(err.code, err.message), internal: false };
    return { status: 500, body: errorBody(err.code, err.message), internal: true };
  }
  return { status: 500, body: errorBody("VIGIL_API_INTERNAL", "the request could not be handled; see the server log"), internal: true };
}
