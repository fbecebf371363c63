/**
 * The message transport contract. Two implementations share it: in-process
 * (the embedded single-node default) and NATS (cluster mode). Both run the
 * same conformance suite (test/runtime/transport/transport.case.ts), so the
 * rest of Vigil never needs to know which one it has.
 *
 * Subjects are dot-separated tokens, NATS style: `*` matches exactly one
 * token, `>` matches one or more trailing tokens. Wildcards are whole tokens
 * only and never appear in publish subjects; anything else is rejected with
 * VIGIL_TRANSPORT_SUBJECT_INVALID (see subject.ts for the exact rules).
 *
 * Payloads are bytes; callers choose their own encoding. A payload is handed
 * over on publish: do not mutate it afterwards, and treat received `data` as
 * read-only — the in-process transport shares one buffer between all
 * receivers instead of copying it.
 *
 * Ordering: messages from one publisher on one subject arrive in the order
 * they were published. Delivery is always asynchronous — a subscriber never
 * runs inside the publisher's call stack.
 */

export interface TransportMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Set when the sender expects a reply (request/reply). */
  readonly reply?: string;
  /**
   * Answer a request. Throws VIGIL_TRANSPORT_SUBJECT_INVALID if the message
   * has no reply subject, VIGIL_TRANSPORT_CLOSED if the receiving transport
   * has been closed.
   */
  respond(data: Uint8Array): void;
}

/** Passed to `SubscribeOptions.onSlowConsumer`. */
export interface SlowConsumerEvent {
  readonly subject: string;
  /** Messages waiting in the subscription's buffer when the signal fired. */
  readonly pending: number;
  /** Messages dropped from this subscription so far. */
  readonly dropped: number;
}

export interface SubscribeOptions {
  /** Members of one queue group share the messages: each goes to exactly one of them. */
  queue?: string;
  /**
   * Most messages buffered for this subscription. Past it the OLDEST buffered
   * message is dropped and counted in `Subscription.dropped`.
   * @default 65536 (DEFAULT_MAX_PENDING_MESSAGES)
   */
  maxPending?: number;
  /**
   * Most payload bytes buffered for this subscription; the same drop-oldest
   * rule applies. The newest message is always kept, even if alone it is larger.
   * @default 67108864 (DEFAULT_MAX_PENDING_BYTES, 64 MiB — nats-server's own slow-consumer limit)
   */
  maxPendingBytes?: number;
  /**
   * One-shot slow-consumer signal: called once when the buffer starts dropping,
   * and not again until the consumer has caught up (buffer at most half full).
   * Runs outside the publisher's stack; an exception it throws is swallowed.
   */
  onSlowConsumer?: (event: SlowConsumerEvent) => void;
}

/**
 * A live subscription. Iterate it (one consumer) with `for await`; breaking
 * out of the loop unsubscribes. After `unsubscribe()` (or the transport's
 * `close()`), messages already buffered are still yielded, then the
 * iterator ends.
 */
export interface Subscription extends AsyncIterable<TransportMessage> {
  readonly subject: string;
  /** The queue group, if the subscription is in one. */
  readonly queue?: string;
  /** Messages dropped by the drop-oldest overflow policy since subscribing. */
  readonly dropped: number;
  /** Messages buffered and not yet taken by the consumer. */
  readonly pending: number;
  /**
   * The next buffered message without waiting, or undefined when none is
   * buffered: a consumer woken by `for await` takes what else has arrived
   * in the same go, instead of a promise per message. Shares the buffer
   * (and its order) with the iterator.
   */
  poll(): TransportMessage | undefined;
  /** Stop receiving; the async iterator ends once the buffer is drained. Idempotent. */
  unsubscribe(): void;
}

export interface RequestOptions {
  /** @default 5000 (DEFAULT_REQUEST_TIMEOUT_MS) */
  timeoutMs?: number;
}

export interface Transport {
  /** Throws VIGIL_TRANSPORT_SUBJECT_INVALID or VIGIL_TRANSPORT_CLOSED. */
  publish(subject: string, data: Uint8Array): void;
  /**
   * Throws VIGIL_TRANSPORT_SUBJECT_INVALID or VIGIL_TRANSPORT_CLOSED. Over a
   * network the subscription is registered asynchronously: it is certainly
   * live at the server once a later `flush()` resolves.
   */
  subscribe(subject: string, options?: SubscribeOptions): Subscription;
  /**
   * Rejects with VIGIL_TRANSPORT_NO_RESPONDERS (nobody subscribed to the
   * subject) or VIGIL_TRANSPORT_TIMEOUT (nobody answered in time), and with
   * VIGIL_TRANSPORT_SUBJECT_INVALID / VIGIL_TRANSPORT_CLOSED like publish.
   */
  request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<TransportMessage>;
  /** Resolves once everything published so far has reached the server (no-op in-process). */
  flush(): Promise<void>;
  /**
   * Drains subscriptions (buffered messages are still yielded, then their
   * iterators end) and closes. Later publish/subscribe throw, and
   * request/flush reject, with VIGIL_TRANSPORT_CLOSED. Calling close()
   * again resolves once the first close has finished.
   */
  close(): Promise<void>;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000; // 5 seconds
export const DEFAULT_MAX_PENDING_MESSAGES = 65_536; // messages per subscription
export const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024; // 64 MiB per subscription
