/**
 * src/http — the Hono control API, the uWebSockets.js feeds, authentication
 * and the dashboard's assets.
 *
 * Talks to the system only through the same messages an actor would send
 * (the runtime's public API); must not reach into actors' internals. Nothing
 * is exported yet.
 */
export {};
