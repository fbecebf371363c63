/**
 * What travels between shards: a message with its routing data. Kept flat and
 * small because every message allocates one.
 */
import type { ActorAddress } from "./address.js";
import type { SerializedError } from "./errors.js";

/** Where replies go: a shard index, or MAIN_ENDPOINT for callers outside any shard. */
export type EndpointId = number;
export const MAIN_ENDPOINT: EndpointId = -1;

export interface Envelope {
  to: ActorAddress;
  msg: unknown;
  /** The sending actor, if an actor sent it. */
  from: ActorAddress | undefined;
  /** Non-zero when the sender awaits a reply. */
  ask: number;
  /** Endpoint holding the pending ask. */
  origin: EndpointId;
  /** CREDIT_LOCAL, CREDIT_REMOTE or CREDIT_BUDGETED: how the envelope is accounted when it leaves its shard. */
  credit: number;
}

/** Sent within one thread: no accounting. */
export const CREDIT_LOCAL = 0;
/** Came from another thread: counted as settled when handled or dropped. */
export const CREDIT_REMOTE = 1;
/** Came from another thread under the receiver's in-flight budget (backpressure kinds): also releases a credit. */
export const CREDIT_BUDGETED = 2;

export interface Reply {
  ask: number;
  origin: EndpointId;
  ok: boolean;
  value: unknown;
  error: SerializedError | undefined;
}

export function envelope(to: ActorAddress, msg: unknown, from?: ActorAddress, ask = 0, origin: EndpointId = MAIN_ENDPOINT): Envelope {
  return { to, msg, from, ask, origin, credit: 0 };
}
