/**
 * The Subscription both transports hand out: a MessageBuffer plus the
 * transport-specific `detach` that stops the feed. Keeping one implementation
 * means the bounded-buffer, drop-oldest and slow-consumer behaviour is the
 * same in-process and over NATS (whose own iterators are unbounded).
 */

import { MessageBuffer } from "./message-buffer.js";
import type { FilledSubscribeOptions } from "./options.js";
import type { Subscription, TransportMessage } from "./transport.js";

const sizeOf = (m: TransportMessage): number => m.data.byteLength;

export class BufferedSubscription implements Subscription {
  readonly queue: string | undefined;
  private readonly buffer: MessageBuffer<TransportMessage>;
  private detached = false;

  /**
   * @param detach stops the feed (remove from the bus / unsubscribe at the
   *   server). Called at most once.
   */
  constructor(
    readonly subject: string,
    options: FilledSubscribeOptions,
    private readonly detach: () => void,
  ) {
    this.queue = options.queue;
    const onSlowConsumer = options.onSlowConsumer;
    this.buffer = new MessageBuffer<TransportMessage>(
      { maxMessages: options.maxPending, maxBytes: options.maxPendingBytes },
      {
        sizeOf,
        onReturn: () => this.unsubscribe(),
        ...(onSlowConsumer !== undefined && {
          onSlow: (pending: number, dropped: number) => onSlowConsumer({ subject, pending, dropped }),
        }),
      },
    );
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  get pending(): number {
    return this.buffer.pending;
  }

  /** Whether the feed has been stopped (unsubscribed, failed or closed). */
  get isClosed(): boolean {
    return this.detached;
  }

  /** Called by the transport for each incoming message. */
  deliver(message: TransportMessage): void {
    this.buffer.push(message);
  }

  poll(): TransportMessage | undefined {
    return this.buffer.poll();
  }

  unsubscribe(): void {
    if (this.detached) return;
    this.detached = true;
    this.detach();
    this.buffer.end();
  }

  /** The feed ended from the transport's side (connection closed); the iterator drains, then ends. */
  ended(error?: unknown): void {
    this.detached = true;
    this.buffer.end(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<TransportMessage> {
    return this.buffer;
  }
}
