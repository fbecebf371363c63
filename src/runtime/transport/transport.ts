/**
 * The message transport contract. Two implementations share it: in-process
 * (the embedded single-node default) and NATS (cluster mode). Both run the
 * same conformance suite (test/runtime/transport/transport.case.ts), so the
 * rest of Vigil never needs to know which one it has.
 *
 * Subjects are dot-separated tokens, NATS style: `*` matches exactly one
 * token, `>` matches one or more trailing tokens. Payloads are bytes; callers
 * choose their own encoding.
 */

export interface TransportMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Set when the sender expects a reply (request/reply). */
  readonly reply?: string;
  /** Answer a request. Throws VIGIL_TRANSPORT_... if the message has no reply subject. */
  respond(data: Uint8Array): void;
}

export interface SubscribeOptions {
  /** Members of one queue group share the messages: each goes to exactly one of them. */
  queue?: string;
}

export interface Subscription extends AsyncIterable<TransportMessage> {
  readonly subject: string;
  /** Stop receiving; the async iterator ends. Idempotent. */
  unsubscribe(): void;
}

export interface RequestOptions {
  /** @default 5000 */
  timeoutMs?: number;
}

export interface Transport {
  publish(subject: string, data: Uint8Array): void;
  subscribe(subject: string, options?: SubscribeOptions): Subscription;
  /** Rejects with VIGIL_TRANSPORT_NO_RESPONDERS or VIGIL_TRANSPORT_TIMEOUT. */
  request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<TransportMessage>;
  /** Resolves once everything published so far has reached the server (no-op in-process). */
  flush(): Promise<void>;
  /** Drains subscriptions and closes; later calls reject/throw VIGIL_TRANSPORT_CLOSED. */
  close(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000; // 5 seconds
