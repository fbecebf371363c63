/**
 * The node's one HTTP port: uWebSockets.js listens, serves WebSocket routes
 * registered on `app` (the feeds), and hands every other request to a
 * fetch handler (the Hono app) through the adapter.
 *
 * Two steps, so WebSocket routes go on before the port opens: create, then
 * `listen()`. `close()` stops accepting, lets close hooks end what they own
 * (WebSocket clients), waits up to `drainTimeoutMs` for in-flight requests
 * (answered with `Connection: close` meanwhile), then closes every socket.
 */
import type { Logger } from "../../runtime/log.js";
import { VigilError } from "../../runtime/index.js";
import { App, closeApp, closeListenSocket, listenSocketPort, type TemplatedApp, type us_listen_socket } from "../uws.js";
import { serveWithFetch, type FetchHandler, type InFlight } from "./adapter.js";

export interface HttpServerOptions {
  /** @example "127.0.0.1" */
  readonly host: string;
  /** 0 asks the OS for a free port. */
  readonly port: number;
  readonly maxBodyBytes: number;
  readonly drainTimeoutMs: number;
  readonly fetch: FetchHandler;
  readonly log: Logger;
  /** Told of each body refused for its size before the fetch handler saw it. */
  readonly onTooLarge?: (method: string, path: string) => void;
}

export interface HttpServer {
  /** The uWS app, for WebSocket routes (`app.ws("/ws", …)`); plain HTTP is the fetch handler's. */
  readonly app: TemplatedApp;
  /** Opens the port; rejects with VIGIL_HTTP_LISTEN_FAILED when it cannot be bound. */
  listen(): Promise<{ url: string; port: number }>;
  /** e.g. http://127.0.0.1:8080, once listening. */
  readonly url: string;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Runs at close, after the port stops accepting and before in-flight requests are waited for. */
  onClose(hook: () => void | Promise<void>): void;
  close(): Promise<void>;
}

export function createHttpServer(o: HttpServerOptions): HttpServer {
  const app = App();
  const closeHooks: (() => void | Promise<void>)[] = [];
  let listenSocket: us_listen_socket | undefined;
  let url = "";
  let closed: Promise<void> | undefined;
  let idle: (() => void) | undefined;
  const inFlight: InFlight & { count: number; closing: boolean } = {
    count: 0,
    closing: false,
    started() {
      this.count++;
    },
    finished() {
      this.count--;
      if (this.count === 0) idle?.();
    },
  };

  app.any("/*", (res, req) => {
    serveWithFetch(res, req, { fetch: o.fetch, maxBodyBytes: o.maxBodyBytes, origin: () => url, onError: (err) => o.log.error({ err }, "http request failed"), ...(o.onTooLarge === undefined ? {} : { onTooLarge: o.onTooLarge }) }, inFlight);
  });

  const drain = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (inFlight.count === 0) return resolve();
      const timer = setTimeout(() => {
        o.log.warn({ inFlight: inFlight.count }, "http requests still open at the end of the drain; closing them");
        resolve();
      }, o.drainTimeoutMs);
      idle = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    app,
    get url() {
      return url;
    },
    get inFlight() {
      return inFlight.count;
    },
    listen: () =>
      new Promise((resolve, reject) => {
        app.listen(o.host, o.port, (socket) => {
          if (socket === false) {
            reject(new VigilError("VIGIL_HTTP_LISTEN_FAILED", `the HTTP server cannot listen on ${o.host}:${o.port} (in use, or not an address of this host)`));
            return;
          }
          listenSocket = socket;
          const port = listenSocketPort(socket);
          url = `http://${o.host.includes(":") ? `[${o.host}]` : o.host}:${port}`;
          o.log.info({ url }, "http server listening");
          resolve({ url, port });
        });
      }),
    onClose(hook) {
      closeHooks.push(hook);
    },
    close() {
      closed ??= (async () => {
        inFlight.closing = true;
        if (listenSocket !== undefined) closeListenSocket(listenSocket);
        for (const hook of closeHooks) {
          try {
            await hook();
          } catch (err) {
            o.log.error({ err }, "an http close hook failed");
          }
        }
        await drain();
        closeApp(app);
      })();
      return closed;
    },
  };
}
