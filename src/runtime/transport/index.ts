/**
 * Public entry of the transport: how Vigil's parts exchange messages by
 * subject, in-process on one node or over NATS in a cluster. Consumers code
 * against the `Transport` contract and get an implementation from a factory;
 * the implementation classes stay internal.
 *
 * This folder is runtime plumbing: it must not import anything outside
 * src/runtime (no actors, stores, http), and only nats.ts may import a NATS client.
 */

export type {
  RequestOptions,
  SlowConsumerEvent,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportMessage,
} from "./transport.js";
export {
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from "./transport.js";

export type { InProcessBus } from "./in-process-bus.js";
export { createInProcessBus } from "./in-process-bus.js";
export type { InProcessTransportOptions } from "./in-process.js";
export { createInProcessTransport } from "./in-process.js";

export type { NatsTransport, NatsTransportOptions, NatsTransportStatus } from "./nats.js";
export { connectNatsTransport, wrapNatsConnection } from "./nats.js";
