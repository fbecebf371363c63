/**
 * Prometheus plumbing: a registry per node, and a tiny HTTP server exposing it.
 *
 * Convention: every Vigil metric is named `vigil_<area>_<what>_<unit>`, e.g.
 * `vigil_mailbox_dropped_total`; the registry refuses other names so the
 * convention cannot drift. Parts of the node receive the registry and
 * register their metrics on it; nothing uses prom-client's global registry,
 * so several nodes (or tests) can share a process.
 *
 * The full HTTP API comes later (src/http); this server only answers
 * `GET /metrics` and `GET /healthz`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Metric } from "prom-client";

export const METRIC_PREFIX = "vigil_";

class PrefixedRegistry extends Registry {
  override registerMetric<T extends string>(metric: Metric<T>): void {
    const name = (metric as unknown as { name: string }).name;
    if (!name.startsWith(METRIC_PREFIX)) {
      throw new Error(`metric "${name}" must be named ${METRIC_PREFIX}<area>_<what>_<unit>`);
    }
    super.registerMetric(metric);
  }
}

export interface RegistryOptions {
  /** Labels on every series, e.g. `{ node: config.node.id }` to tell cluster nodes apart. */
  readonly defaultLabels?: Record<string, string>;
}

/** A fresh registry holding Node's default process metrics (`vigil_process_*`, `vigil_nodejs_*`). */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new PrefixedRegistry();
  if (options.defaultLabels !== undefined) registry.setDefaultLabels(options.defaultLabels);
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port; read the chosen one from `url`. */
  readonly port: number;
  readonly registry: Registry;
}

export interface MetricsServer {
  /** Base URL, e.g. "http://127.0.0.1:9464"; scrape `${url}/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry } = options;
  const server = http.createServer((req, res) => {
    void answer(req, res, registry);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      reject(new Error(`metrics server cannot listen on ${options.host}:${options.port}: ${err.message}`, { cause: err }));
    });
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        // Scrapers hold keep-alive connections open; without this close() waits for them.
        server.closeAllConnections();
      }),
  };
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, registry: Registry): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path !== "/metrics" && path !== "/healthz") return send(res, 404, "text/plain", "not found\n");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("allow", "GET, HEAD");
    return send(res, 405, "text/plain", "method not allowed\n");
  }
  if (path === "/healthz") return send(res, 200, "text/plain", "ok\n");
  try {
    send(res, 200, registry.contentType, await registry.metrics());
  } catch (err) {
    // A failing collector must not take the node down; the scrape fails visibly instead.
    send(res, 500, "text/plain", `collecting metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
