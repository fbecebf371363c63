/**
 * src/actors — the domain actors (sensor, unit, alarm, trainer, history
 * writer), the protocol connectors (connectors/) and the plant simulator
 * (simulator/).
 *
 * Actors talk to each other and to the outside only through messages and the
 * runtime's public API (src/runtime/index.ts). They must not depend on
 * sockets or HTTP (src/http), nor on the runtime's internals.
 */
export { createKinds, kindsConfigOf, resolveSensorTypes } from "./kinds.js";
export type { KindsConfig } from "./kinds.js";
