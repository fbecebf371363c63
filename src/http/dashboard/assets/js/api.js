/**
 * The control API from the browser: every call carries the API key in
 * X-API-Key; an error answer (`{"error":{"code","message"}}`) becomes an
 * ApiError with its stable code; a 401 also tells the key gate.
 */
export const API_PREFIX = "/api/v1";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** `key()` gives the current key; `onUnauthorized(message)` runs on a 401. */
export function createApi(key, onUnauthorized) {
  async function call(method, path, body) {
    const headers = { "X-API-Key": key() };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res;
    try {
      res = await fetch(API_PREFIX + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new ApiError(0, "NETWORK", `the node did not answer (${err.message})`);
    }
    const text = await res.text();
    let json = null;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!res.ok) {
      const code = json?.error?.code ?? `HTTP_${res.status}`;
      const message = json?.error?.message ?? `${method} ${path}: ${res.status} ${res.statusText}`;
      if (res.status === 401) onUnauthorized(message);
      throw new ApiError(res.status, code, message);
    }
    return json;
  }
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body ?? {}),
    put: (path, body) => call("PUT", path, body ?? {}),
    del: (path) => call("DELETE", path),
  };
}
