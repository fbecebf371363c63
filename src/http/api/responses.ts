/**
 * The error answers a route documents, in one line: `...errorResponses(400, 401, 403)`
 * puts the shared Error schema under each status in the OpenAPI document;
 * and the other pieces routes repeat: a JSON body or answer, and the path
 * parameters of the plant's ids (the pattern ingest validates, so an id the
 * API accepts is one a reading could have made).
 */
import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../actors/readings/index.js";
import { errorBodySchema } from "./errors.js";

const MEANING = {
  400: "the request is invalid (code VIGIL_API_BAD_REQUEST or the domain's)",
  401: "no key, or a key the node does not know",
  403: "the key's role is below the route's",
  404: "no such resource",
  409: "the resource is not in a state that allows this",
  413: "the body is larger than http.maxBodyBytes",
  429: "the key is over its rate limit (Retry-After says when to come back)",
  502: "the remote peer (broker, PLC) failed the request",
  503: "the part that would answer is not available now",
} as const;

type Documented = keyof typeof MEANING;

export function errorResponses<S extends Documented>(...statuses: S[]): Record<S, { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }> {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }>;
  for (const status of statuses) out[status] = { description: MEANING[status], content: { "application/json": { schema: errorBodySchema } } };
  return out;
}

/** A JSON answer of `schema`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON body; one `schema` refuses answers 400 through the app's default hook. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

export const unitId = z.string().regex(ID_PATTERN, "a unit id: 1-64 letters, digits, '_' or '-'").openapi({ example: "UNIT001" });
export const sensorId = z.string().regex(ID_PATTERN, "a sensor id: 1-64 letters, digits, '_' or '-'").openapi({ example: "temperature" });
