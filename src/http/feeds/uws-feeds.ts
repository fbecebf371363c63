/**
 * The feeds on a uWebSockets.js app: `registerFeeds(app, deps)` adds the
 * WebSocket route. Authentication happens on upgrade — a request the
 * authenticator does not accept gets 401 and never becomes a WebSocket —
 * and the authenticator is injected, so the feeds work with whatever the
 * control API checks keys with. uWS sends pings on its own within
 * `idleTimeoutSec` and closes a connection that stays silent past it.
 */
import type { Registry } from "prom-client";
import type { Logger } from "../../runtime/log.js";
import { DISABLED_COMPRESSION, type HttpRequest, type HttpResponse, type TemplatedApp, type WebSocket } from "../uws.js";
import { FeedHub, type FeedConnection, type FeedPrincipal, type FeedSocket } from "./hub.js";
import type { FeedLimits } from "./limits.js";
import { FeedMetrics } from "./metrics.js";
import type { FeedSource } from "./source.js";
import type { SnapshotProvider } from "./state.js";

/** What an upgrade request offers to prove who it is. */
export interface FeedCredentials {
  /** A request header, by lower-case name ("x-api-key", "authorization"); "" when absent. */
  header(name: string): string;
  /** The `token` query parameter ("" when absent): browsers cannot set headers on a WebSocket. */
  readonly token: string;
}

/** The principal, or undefined to refuse (401). */
export type FeedAuthenticator = (credentials: FeedCredentials) => FeedPrincipal | undefined | Promise<FeedPrincipal | undefined>;

export interface FeedsDeps {
  readonly source: FeedSource;
  readonly snapshot: SnapshotProvider;
  readonly authenticate: FeedAuthenticator;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly limits: FeedLimits;
  /** The route; default "/ws". */
  readonly path?: string;
}

export interface Feeds {
  readonly clientCount: number;
  /** Refuses new upgrades (503) and ends every connection with 1001. */
  close(): void;
}

interface UserData {
  principal: FeedPrincipal;
  connection?: FeedConnection;
}

/** Headers the authenticator may ask for; a request's other headers are not copied. */
const AUTH_HEADERS = ["authorization", "x-api-key"];
/** Room above the disconnect limit so uWS itself never drops a frame silently before the hub disconnects. */
const BACKPRESSURE_SLACK = 4 * 1024 * 1024;

export function registerFeeds(app: TemplatedApp, deps: FeedsDeps): Feeds {
  const { limits } = deps;
  const metrics = new FeedMetrics(deps.registry);
  const logger = deps.logger.child({ part: "feeds" });
  const hub = new FeedHub({ source: deps.source, snapshot: deps.snapshot, limits, metrics, logger });
  const sockets = new WeakMap<WebSocket<UserData>, FeedSocket>();
  const decoder = new TextDecoder();

  const socketOf = (ws: WebSocket<UserData>): FeedSocket => {
    let s = sockets.get(ws);
    if (s === undefined) {
      s = {
        // 2 = dropped (over maxBackpressure); 0 = queued, 1 = written.
        send: (frame) => ws.send(frame, false, false) !== 2,
        bufferedAmount: () => ws.getBufferedAmount(),
        end: (code, reason) => ws.end(code, reason),
        terminate: () => ws.close(),
      };
      sockets.set(ws, s);
    }
    return s;
  };

  app.ws<UserData>(deps.path ?? "/ws", {
    compression: DISABLED_COMPRESSION,
    maxPayloadLength: limits.maxPayloadBytes,
    idleTimeout: limits.idleTimeoutSec,
    sendPingsAutomatically: true,
    maxBackpressure: limits.disconnectAboveBytes + BACKPRESSURE_SLACK,
    closeOnBackpressureLimit: 1,
    upgrade: (res, req, context) => {
      const key = req.getHeader("sec-websocket-key");
      const protocol = req.getHeader("sec-websocket-protocol");
      const extensions = req.getHeader("sec-websocket-extensions");
      const credentials = credentialsOf(req);
      if (hub.isClosing) {
        metrics.upgradesRefused.inc({ reason: "shutting_down" });
        return refuse(res, "503 Service Unavailable", "shutting down");
      }
      const upgrade = (principal: FeedPrincipal | undefined): void => {
        if (principal === undefined) {
          metrics.upgradesRefused.inc({ reason: "unauthenticated" });
          return refuse(res, "401 Unauthorized", "a valid API key is required (X-API-Key, Authorization: Bearer, or ?token=)");
        }
        res.upgrade<UserData>({ principal }, key, protocol, extensions, context);
      };
      let verdict: ReturnType<FeedAuthenticator>;
      try {
        verdict = deps.authenticate(credentials);
      } catch (err) {
        logger.error({ err }, "feed authenticator failed; upgrade refused");
        return upgrade(undefined);
      }
      if (!(verdict instanceof Promise)) return upgrade(verdict);
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      verdict.then(
        (principal) => void (aborted || res.cork(() => upgrade(principal))),
        (err: unknown) => {
          logger.error({ err }, "feed authenticator failed; upgrade refused");
          if (!aborted) res.cork(() => upgrade(undefined));
        },
      );
    },
    open: (ws) => {
      const data = ws.getUserData();
      data.connection = hub.open(socketOf(ws), data.principal);
    },
    message: (ws, message, isBinary) => {
      const connection = ws.getUserData().connection;
      if (connection !== undefined) hub.message(connection, isBinary ? "" : decoder.decode(message));
    },
    drain: (ws) => {
      const connection = ws.getUserData().connection;
      if (connection !== undefined) hub.drained(connection);
    },
    close: (ws) => {
      const connection = ws.getUserData().connection;
      if (connection !== undefined) hub.closed(connection);
    },
  });

  return {
    get clientCount() {
      return hub.clientCount;
    },
    close: () => hub.close(),
  };
}

function credentialsOf(req: HttpRequest): FeedCredentials {
  const headers = new Map(AUTH_HEADERS.map((name) => [name, req.getHeader(name)]));
  return { header: (name) => headers.get(name) ?? "", token: req.getQuery("token") ?? "" };
}

function refuse(res: HttpResponse, status: string, message: string): void {
  res.cork(() => {
    res.writeStatus(status).writeHeader("content-type", "application/json").end(JSON.stringify({ error: { code: status.startsWith("401") ? "VIGIL_UNAUTHORIZED" : "VIGIL_UNAVAILABLE", message } }), true);
  });
}
