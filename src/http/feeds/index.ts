/**
 * src/http/feeds — the WebSocket feeds: clients subscribe to units, sensors
 * and event kinds and get a snapshot of the current state, then live events,
 * filtered on the server, with bounded per-client buffers (protocol.ts says
 * what goes over the wire).
 *
 * Public: registerFeeds (the uWS route), the FeedSource interface and its
 * PublicationFeed (fed by the node's outlet tap or a transport subscription),
 * FeedState (the live state snapshots are taken from), FeedHub (the
 * socket-agnostic core, for benches that compare socket servers). Must not
 * depend on the control API or its authentication: an authenticator is
 * injected.
 */
export { registerFeeds, type FeedAuthenticator, type FeedCredentials, type Feeds, type FeedsDeps } from "./uws-feeds.js";
export { PublicationFeed, type FeedListener, type FeedSource } from "./source.js";
export { feedFromTransport, FEED_SUBJECTS, type TransportFeed } from "./transport-source.js";
export { ReplayFilter } from "./replay-filter.js";
export { unitsWanted } from "./selection.js";
export { FeedState, type SnapshotProvider } from "./state.js";
export { FeedHub, CLOSE_SHUTDOWN, type FeedConnection, type FeedHubOptions, type FeedPrincipal, type FeedSocket } from "./hub.js";
export { FeedMetrics } from "./metrics.js";
export type { FeedLimits } from "./limits.js";
export { sensorDataEvent, unitStatusEvent, alarmEvent, systemAlertEvent, modelUpdateEvent, type FeedEvent, type ModelUpdate, type SystemAlert } from "./events.js";
export { FEED_KINDS, type ClientMessage, type FeedErrorCode, type FeedKind } from "./protocol.js";
