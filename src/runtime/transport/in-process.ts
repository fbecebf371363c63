/**
 * InProcessTransport: the embedded single-node default. Several transports
 * can share one InProcessBus (one "server"); each transport is like one NATS
 * connection, with its own subscriptions, request inbox and close().
 *
 * Delivery pushes into each subscription's bounded buffer; consumers run from
 * their own `await`, so nothing executes inside the publisher's stack.
 * Payloads are not copied: every receiver sees the publisher's buffer.
 * A bus lives in one thread; shard workers reach it through their own
 * channel to the main thread, not by sharing the bus.
 */

import { randomBytes } from "node:crypto";
import { BufferedSubscription } from "./buffered-subscription.js";
import { type BusSubscriber, type InProcessBus, createInProcessBus } from "./in-process-bus.js";
import { fillSubscribeOptions, requestTimeoutMs } from "./options.js";
import { assertPublishSubject, parseSubscribeSubject } from "./subject.js";
import { closedError, noReplySubjectError, noRespondersError, timeoutError } from "./transport-errors.js";
import type {
  RequestOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportMessage,
} from "./transport.js";

export interface InProcessTransportOptions {
  /** The bus to attach to; transports on the same bus reach each other. @default a new private bus */
  bus?: InProcessBus;
}

class InProcessMessage implements TransportMessage {
  constructor(
    readonly subject: string,
    readonly data: Uint8Array,
    readonly reply: string | undefined,
    private readonly receiver: InProcessTransport,
  ) {}

  respond(data: Uint8Array): void {
    if (this.reply === undefined) throw noReplySubjectError(this.subject);
    this.receiver.sendReply(this.reply, data);
  }
}

interface PendingRequest {
  readonly resolve: (message: TransportMessage) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** One transport's request inbox: a single `_INBOX.<id>.*` subscription serves all its requests. */
interface Inbox {
  readonly prefix: string;
  readonly tokens: readonly string[];
  readonly subscriber: BusSubscriber;
}

export class InProcessTransport implements Transport {
  private closing: Promise<void> | undefined;
  private readonly subscriptions = new Set<BufferedSubscription>();
  private readonly requests = new Map<string, PendingRequest>();
  private inbox: Inbox | undefined;
  private nextRequest = 0;

  constructor(private readonly bus: InProcessBus) {}

  publish(subject: string, data: Uint8Array): void {
    this.assertOpen();
    assertPublishSubject(subject);
    this.bus.publish(subject, data, undefined);
  }

  subscribe(subject: string, options?: SubscribeOptions): Subscription {
    this.assertOpen();
    const tokens = parseSubscribeSubject(subject);
    const filled = fillSubscribeOptions(options);
    const subscriber: BusSubscriber = {
      queue: filled.queue,
      deliver: (s, data, reply) => subscription.deliver(new InProcessMessage(s, data, reply, this)),
    };
    const subscription: BufferedSubscription = new BufferedSubscription(subject, filled, () => {
      this.bus.unsubscribe(tokens, subscriber);
      this.subscriptions.delete(subscription);
    });
    this.bus.subscribe(tokens, subscriber);
    this.subscriptions.add(subscription);
    return subscription;
  }

  async request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<TransportMessage> {
    this.assertOpen();
    assertPublishSubject(subject);
    const timeoutMs = requestTimeoutMs(options);
    const inbox = this.inbox ?? this.openInbox();
    const token = String(this.nextRequest++);
    return new Promise<TransportMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(token);
        reject(timeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.requests.set(token, { resolve, reject, timer });
      // Like nats-server, answer "no responders" at once when nobody is subscribed.
      if (this.bus.publish(subject, data, inbox.prefix + token) === 0) {
        clearTimeout(timer);
        this.requests.delete(token);
        reject(noRespondersError(subject));
      }
    });
  }

  flush(): Promise<void> {
    // Publishing reaches the bus synchronously; there is nothing to wait for.
    return this.closing === undefined ? Promise.resolve() : Promise.reject(closedError());
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = Promise.resolve();
    for (const subscription of [...this.subscriptions]) subscription.unsubscribe();
    if (this.inbox !== undefined) this.bus.unsubscribe(this.inbox.tokens, this.inbox.subscriber);
    for (const pending of this.requests.values()) {
      clearTimeout(pending.timer);
      pending.reject(closedError());
    }
    this.requests.clear();
    return this.closing;
  }

  /** @internal Used by received messages to answer a request. */
  sendReply(reply: string, data: Uint8Array): void {
    this.assertOpen();
    this.bus.publish(reply, data, undefined);
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError();
  }

  private openInbox(): Inbox {
    const id = randomBytes(8).toString("hex");
    const prefix = `_INBOX.${id}.`;
    const subscriber: BusSubscriber = {
      queue: undefined,
      deliver: (subject, data) => {
        const token = subject.slice(prefix.length);
        const pending = this.requests.get(token);
        if (pending === undefined) return; // late or duplicate reply
        this.requests.delete(token);
        clearTimeout(pending.timer);
        pending.resolve(new InProcessMessage(subject, data, undefined, this));
      },
    };
    const inbox: Inbox = { prefix, tokens: ["_INBOX", id, "*"], subscriber };
    this.bus.subscribe(inbox.tokens, subscriber);
    this.inbox = inbox;
    return inbox;
  }
}

/**
 * An in-process transport. Pass the same `bus` to several calls to get
 * handles that reach each other.
 *
 * @example
 * const bus = createInProcessBus();
 * const a = createInProcessTransport({ bus });
 * const b = createInProcessTransport({ bus });
 */
export function createInProcessTransport(options?: InProcessTransportOptions): Transport {
  return new InProcessTransport(options?.bus ?? createInProcessBus());
}
