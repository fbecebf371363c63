/**
 * The node's HTTP side in one call: keys (or the one-time admin key), rate
 * limits, the audit trail, health probes, the API app with every route
 * module, and the uWS server on `http.host:http.port`. The composition root
 * (src/node/start.ts) calls `startHttp` once and stops it first at shutdown.
 */
import type { Registry } from "prom-client";
import type { HttpConfig } from "../config/index.js";
import { VigilError } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import { createApiApp, type ApiApp, type RouteModule } from "./api/app.js";
import { AuditLog } from "./auth/audit.js";
import { generateApiKey, hashApiKey, KeyRing } from "./auth/keys.js";
import { RateLimiter } from "./auth/rate-limit.js";
import { HealthRegistry } from "./health.js";
import { registerNodeProbes, type ProbedParts } from "./probes.js";
import { auditRoutes } from "./routes/audit.js";
import { docsRoutes } from "./routes/docs.js";
import { dashboardRoutes } from "./dashboard/index.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { createHttpServer, type HttpServer } from "./server/server.js";
import { registerFeeds, type FeedCredentials, type FeedLimits, type FeedSource, type SnapshotProvider } from "./feeds/index.js";
import { presentedKey } from "./auth/keys.js";

export interface HttpParts extends ProbedParts {
  readonly nodeId: string;
  readonly version: string;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The node's route modules for its areas (units, alarms, …), registered after health, metrics, audit and docs. */
  readonly routes: readonly RouteModule[];
  /**
   * Called once with the admin key made when `http.keys` is empty. Default:
   * written to stderr, once, and never logged (log files outlive a terminal).
   */
  readonly announceKey?: (key: string, url: string) => void;
  /** Told of each request body refused for its size before any route saw it (the ingest route counts its own). */
  readonly onBodyTooLarge?: (method: string, path: string) => void;
  /** The WebSocket feeds, served on the same port and keys: what they carry and their route and limits. */
  readonly feeds?: { readonly source: FeedSource; readonly snapshot: SnapshotProvider; readonly path: string; readonly limits: FeedLimits };
}

export interface RunningHttp {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  readonly health: HealthRegistry;
  readonly api: ApiApp;
  readonly server: HttpServer;
  stop(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ""));
}

export async function startHttp(config: HttpConfig, parts: HttpParts): Promise<RunningHttp> {
  const log = parts.logger.child({ part: "http" });
  let generated: string | undefined;
  let keys = config.keys;
  if (keys.length === 0) {
    if (!isLoopback(config.host)) {
      throw new VigilError("VIGIL_HTTP_BIND_REFUSED", `http.host is ${config.host}, beyond this machine, but http.keys is empty: add API keys (see \`vigil api-key\`) or bind to 127.0.0.1`);
    }
    generated = generateApiKey();
    keys = [{ id: "generated-admin", role: "admin", sha256: hashApiKey(generated) }];
  }
  const health = new HealthRegistry();
  registerNodeProbes(health, parts);
  const keyRing = new KeyRing(keys);
  const audit = new AuditLog(config.auditEntries, parts.logger.child({ part: "audit" }));
  const api = createApiApp({
    keys: keyRing,
    limiter: new RateLimiter(config.rateLimit),
    audit,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.cors.origins,
    version: parts.version,
    log,
    routes: [
      healthRoutes({ health, version: parts.version, nodeId: parts.nodeId, startedAt: Date.now() }),
      metricsRoutes(parts.registry),
      auditRoutes(audit),
      docsRoutes(),
      // The dashboard lives on the feeds: without them it would have nothing to show.
      ...(parts.feeds === undefined ? [] : [dashboardRoutes({ feedsPath: parts.feeds.path })]),
      ...parts.routes,
    ],
  });
  const server = createHttpServer({ host: config.host, port: config.port, maxBodyBytes: config.maxBodyBytes, drainTimeoutMs: config.drainTimeoutMs, fetch: api.fetch, log, ...(parts.onBodyTooLarge === undefined ? {} : { onTooLarge: parts.onBodyTooLarge }) });
  if (parts.feeds !== undefined) {
    const feeds = registerFeeds(server.app, {
      ...parts.feeds,
      // The same keys as the API; any role may watch.
      authenticate: (credentials) => {
        const caller = keyOf(credentials);
        const known = caller === undefined ? undefined : keyRing.identify(caller);
        return known === undefined ? undefined : { id: known.keyId };
      },
      logger: parts.logger,
      registry: parts.registry,
    });
    health.register("websocket", () => ({ status: "ok", detail: { clients: feeds.clientCount } }));
    server.onClose(() => feeds.close());
  }
  const { url, port } = await server.listen();
  if (generated !== undefined) {
    log.warn({ url, keyId: "generated-admin" }, "no API keys configured: made a one-time admin key (printed once on stderr) and bound to loopback only");
    (parts.announceKey ?? printKey)(generated, url);
  }
  return { url, port, health, api, server, stop: () => server.close() };
}

/** A key in X-API-Key or Authorization: Bearer, else the `token` query parameter (browsers cannot set WebSocket headers). */
function keyOf(credentials: FeedCredentials): string | undefined {
  const fromHeaders = presentedKey({ get: (name) => credentials.header(name) || null });
  return fromHeaders ?? (credentials.token === "" ? undefined : credentials.token);
}

function printKey(key: string, url: string): void {
  process.stderr.write(
    [
      "",
      "==================================================================",
      " Vigil API: no keys configured, so this admin key was made for",
      " this run only. It is shown once and stored nowhere.",
      "",
      `   X-API-Key: ${key}`,
      "",
      ` Dashboard: ${url}/#key=${key}`,
      ` e.g. curl -H 'X-API-Key: ${key}' ${url}/api/v1/units`,
      " Keep keys across restarts: `vigil api-key --id <name> --role admin`",
      " and put the printed entry in http.keys of the config file.",
      "==================================================================",
      "",
    ].join("\n"),
  );
}
