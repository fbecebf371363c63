/**
 * The fetch Request the adapter hands the app for a request without a body
 * (GET, HEAD): an object that is `instanceof Request` and answers `method`,
 * `url`, `headers`, `body` (null) and `signal` itself; anything else (`clone()`,
 * `text()`, `mode`, …) is answered by a real Request, made the first time one
 * is needed — with the same method, url, headers and signal.
 *
 * Why: a Request made with a signal costs ~25 µs of CPU (undici links the
 * signal: a listener, a WeakRef and a FinalizationRegistry entry per request,
 * collected later) against ~6 µs without one, and ~3 µs more for the
 * AbortController — most of what a memoised read route costs in all. The app
 * (routing, authentication, Hono's body limit) reads method, url, headers and
 * body and nothing else, so on a read route the real Request is never made,
 * and the AbortController only when something asks for the signal (it is
 * still aborted when the client goes away: see `abort`).
 *
 * @hono/node-server serves Hono the same way (its `requestPrototype`).
 *
 * The one thing such an object cannot be is the `input` of `new Request(…)`:
 * undici reads its internal slots. Nothing in the API does that with a
 * bodyless request; a route that had to would pass `c.req.raw.clone()`.
 */

const kState = Symbol("vigil.bodylessRequest");

interface State {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  controller: AbortController | undefined;
  real: Request | undefined;
}

interface Lazy {
  readonly [kState]: State;
}

function controllerOf(s: State): AbortController {
  s.controller ??= new AbortController();
  return s.controller;
}

function realOf(s: State): Request {
  s.real ??= new Request(s.url, { method: s.method, headers: s.headers, signal: controllerOf(s).signal });
  return s.real;
}

const own: PropertyDescriptorMap = {
  method: { get: function (this: Lazy) { return this[kState].method; } },
  url: { get: function (this: Lazy) { return this[kState].url; } },
  headers: { get: function (this: Lazy) { return this[kState].headers; } },
  body: { get: () => null },
  bodyUsed: { get: () => false },
  signal: { get: function (this: Lazy) { return controllerOf(this[kState]).signal; } },
};
// Everything else Request has, whatever this Node's undici adds, is the real Request's.
for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(Request.prototype))) {
  if (name in own || name === "constructor") continue;
  if (d.get !== undefined) {
    own[name] = { get: function (this: Lazy) { return (realOf(this[kState]) as unknown as Record<string, unknown>)[name]; } };
  } else if (typeof d.value === "function") {
    own[name] = {
      value: function (this: Lazy, ...args: unknown[]): unknown {
        return (realOf(this[kState]) as unknown as Record<string, (...a: unknown[]) => unknown>)[name]?.(...args);
      },
    };
  }
}
const prototype: object = Object.create(Request.prototype, own) as object;

export interface BodylessRequest {
  readonly request: Request;
  /** The client went away: the request's signal (made now if nobody asked for it yet) is aborted. */
  readonly abort: () => void;
}

export function bodylessRequest(url: string, method: string, headers: Headers): BodylessRequest {
  const state: State = { url, method, headers, controller: undefined, real: undefined };
  const request = Object.create(prototype, { [kState]: { value: state } }) as Request;
  return { request, abort: () => controllerOf(state).abort() };
}
