/**
 * Per-connection limits of the feeds: the config's `feeds` section less its
 * path (src/config/schema.ts; the defaults, with their reasons, in
 * defaults.ts), declared here so the feeds can run without a config.
 */
export interface FeedLimits {
  /** Largest client message, in bytes; a larger one closes the connection (uWS's maxPayloadLength). */
  readonly maxPayloadBytes: number;
  /** Subscription triples (kind × unit × sensor) one connection may hold. */
  readonly maxSubscriptions: number;
  /** Client messages per second, with as many in a burst; the excess is refused with VIGIL_FEED_RATE_LIMITED. */
  readonly maxMessagesPerSec: number;
  /** Seconds without traffic before a connection is closed; the server pings well within it. */
  readonly idleTimeoutSec: number;
  /** Bytes waiting in a client's send buffer above which it gets conflated latest-value updates instead. */
  readonly conflateAboveBytes: number;
  /** Bytes waiting above which the client is disconnected (slow consumer). */
  readonly disconnectAboveBytes: number;
  /** Distinct keys a conflated update may hold; past it the client is disconnected. */
  readonly maxConflatedKeys: number;
  /** How long a client may stay behind (conflating) before it is disconnected, in ms. */
  readonly maxBehindMs: number;
  /** Events per snapshot frame. */
  readonly snapshotFrameEvents: number;
}
