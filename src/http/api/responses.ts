/**
 * The error answers a route documents, in one line: `...errorResponses(400, 401, 403)`
 * puts the shared Error schema under each status in the OpenAPI document.
 */
import { errorBodySchema } from "./errors.js";

const MEANING = {
  400: "the request is invalid (code VIGIL_API_BAD_REQUEST or the domain's)",
  401: "no key, or a key the node does not know",
  403: "the key's role is below the route's",
  404: "no such resource",
  409: "the resource is not in a state that allows this",
  413: "the body is larger than http.maxBodyBytes",
  502: "the remote peer (broker, PLC) failed the request",
  503: "the part that would answer is not available now",
} as const;

type Documented = keyof typeof MEANING;

export function errorResponses<S extends Documented>(...statuses: S[]): Record<S, { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }> {
  const out = {} as Record<S, { description: string; content: { "application/json": { schema: typeof errorBodySchema } } }>;
  for (const status of statuses) out[status] = { description: MEANING[status], content: { "application/json": { schema: errorBodySchema } } };
  return out;
}
