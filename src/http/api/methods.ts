/**
 * Which methods a path has routes for, so an unrouted request can be told
 * 405 (with Allow) rather than 404 when the path exists under another method.
 */
const patterns = new WeakMap<object, { method: string; regex: RegExp }[]>();

function compile(path: string): RegExp {
  const body = path
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}/?$`);
}

/** The part of a Hono app this needs: its route table. */
interface Routed {
  readonly routes: readonly { readonly method: string; readonly path: string }[];
}

export function methodsAllowedFor(app: Routed, path: string): string[] {
  let compiled = patterns.get(app);
  if (compiled === undefined) {
    // Routes are all registered before the first request; middleware is "ALL" and says nothing about methods.
    compiled = app.routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, regex: compile(r.path) }));
    patterns.set(app, compiled);
  }
  return [...new Set(compiled.filter((r) => r.regex.test(path)).map((r) => r.method))].sort();
}
