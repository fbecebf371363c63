/**
 * The `feeds` section: the WebSocket feeds' route and per-connection limits
 * (src/http/feeds). Every limit bounds what one client can cost the node.
 */
import { durationMs, section, textMatching, wholeNumber } from "./fields.js";

export const feedsSchema = section({
  path: textMatching(/^\/[A-Za-z0-9/_-]*$/, "a URL path starting with '/'").describe("The WebSocket route on the node's HTTP server."),
  maxPayloadBytes: wholeNumber(64).describe("Largest client message in bytes; a larger one drops the connection."),
  maxSubscriptions: wholeNumber(1).describe("Subscriptions one connection may hold, counted as kind × unit × sensor triples."),
  maxMessagesPerSec: wholeNumber(1).describe("Client messages per second (as many in a burst); the excess is refused with `VIGIL_FEED_RATE_LIMITED`."),
  // uWS needs at least 8 s (its timers tick every 4 s).
  idleTimeoutSec: wholeNumber(8, 960).describe("Seconds without traffic before a connection is closed; the server pings within it, so only a client that does not answer is closed."),
  conflateAboveBytes: wholeNumber(1024).describe("Unsent bytes above which a slow client gets conflated latest-value updates instead of every event."),
  disconnectAboveBytes: wholeNumber(1024).describe("Unsent bytes above which a client is disconnected (slow consumer)."),
  maxConflatedKeys: wholeNumber(1).describe("Keys (sensors, units, alarms, models) held back for one slow client before it is disconnected."),
  maxBehindMs: durationMs(1).describe("How long a client may stay behind (on conflated updates) before it is disconnected."),
  snapshotFrameEvents: wholeNumber(1).describe("Events per snapshot or catch-up frame."),
})
  .superRefine((f, ctx) => {
    if (f.disconnectAboveBytes <= f.conflateAboveBytes) {
      ctx.addIssue({ code: "custom", path: ["disconnectAboveBytes"], message: `a whole number > conflateAboveBytes (${f.conflateAboveBytes})` });
    }
  })
  .describe("The WebSocket feeds: route and per-connection limits (README: WebSocket feeds).");
