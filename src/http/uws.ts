/**
 * The one module that imports uWebSockets.js. uWS is not published on the
 * npm registry; Vigil pins the registry republish
 * `@trufflesuite/uws-js-unofficial` 20.30.0-unofficial.0 (uWS v20.30, prebuilt
 * binaries for Node 16–20 on Linux/glibc, macOS and Windows, shipped inside
 * the package). Swapping it for another build touches only this file.
 */
import uws from "@trufflesuite/uws-js-unofficial";
import type { TemplatedApp } from "@trufflesuite/uws-js-unofficial";

export type {
  HttpRequest,
  HttpResponse,
  RecognizedString,
  TemplatedApp,
  us_listen_socket,
  WebSocket,
  WebSocketBehavior,
} from "@trufflesuite/uws-js-unofficial";

export const App = uws.App;

/**
 * Closes every socket of the app (listening and open connections). The
 * method exists at run time in this build but is missing from its typings.
 */
export function closeApp(app: TemplatedApp): void {
  (app as unknown as { close(): void }).close();
}
export const closeListenSocket = uws.us_listen_socket_close;
export const listenSocketPort = uws.us_socket_local_port;
export const SHARED_COMPRESSOR = uws.SHARED_COMPRESSOR;
export const DISABLED_COMPRESSION = uws.DISABLED;
