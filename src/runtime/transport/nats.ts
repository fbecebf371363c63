/**
 * NatsTransport: the Transport contract over one NATS connection
 * (`@nats-io/transport-node` v3). This is the only module that imports a
 * NATS client for the transport; everything above sees `Transport`.
 *
 * nats.js subscriptions are fed through callbacks into the same bounded
 * BufferedSubscription the in-process transport uses (the client's own
 * iterators are unbounded), and nats.js errors are mapped to Vigil's codes.
 */

import { connect, errors as natsErrors } from "@nats-io/transport-node";
import type { Msg, NatsConnection, Status } from "@nats-io/transport-node";
import { VigilError } from "../errors.js";
import { BufferedSubscription } from "./buffered-subscription.js";
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

/** Connection events worth acting on; a discriminated union on `type`. */
export type NatsTransportStatus =
  | { readonly type: "disconnect"; readonly server: string }
  | { readonly type: "reconnect"; readonly server: string }
  | { readonly type: "lameDuck"; readonly server: string }
  | { readonly type: "error"; readonly error: Error }
  | { readonly type: "close" };

export interface NatsTransport extends Transport {
  /** Listen to connection events; returns a function that removes the listener. */
  onStatus(listener: (status: NatsTransportStatus) => void): () => void;
}

export interface NatsTransportOptions {
  /** One or more `nats://host:port` URLs. */
  servers: string | string[];
  /** Client name shown by the server's monitoring. */
  name?: string;
  /**
   * Reconnect attempts per server after a disconnect; -1 retries forever.
   * @default -1 — a runtime node keeps trying; ownership leases, not the
   *   client, decide when a node must stop working (nats.js's default is 10).
   */
  maxReconnectAttempts?: number;
  /** @default 2000 (DEFAULT_RECONNECT_TIME_WAIT_MS) */
  reconnectTimeWaitMs?: number;
  /** @default 20000 (DEFAULT_CONNECT_TIMEOUT_MS) */
  connectTimeoutMs?: number;
  user?: string;
  pass?: string;
  token?: string;
}

export const DEFAULT_RECONNECT_TIME_WAIT_MS = 2_000; // 2 seconds, as nats.js
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000; // 20 seconds, as nats.js

class NatsMessage implements TransportMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply: string | undefined;

  constructor(
    msg: Msg,
    private readonly receiver: NatsTransportImpl,
  ) {
    this.subject = msg.subject;
    this.data = msg.data;
    this.reply = msg.reply === undefined || msg.reply === "" ? undefined : msg.reply;
  }

  respond(data: Uint8Array): void {
    if (this.reply === undefined) throw noReplySubjectError(this.subject);
    this.receiver.sendReply(this.reply, data);
  }
}

class NatsTransportImpl implements NatsTransport {
  private closing: Promise<void> | undefined;
  private readonly subscriptions = new Set<BufferedSubscription>();
  private readonly listeners = new Set<(status: NatsTransportStatus) => void>();

  constructor(private readonly nc: NatsConnection) {
    this.watchStatus().catch(() => {
      // The status iterator only ends with the connection; nothing to report.
    });
    // The connection can also end on its own (reconnect attempts exhausted):
    // end the iterators rather than leave consumers waiting forever.
    void nc.closed().then((err) => {
      const reason = err instanceof Error ? closedError(err) : undefined;
      for (const subscription of [...this.subscriptions]) subscription.ended(reason);
      this.subscriptions.clear();
    });
  }

  publish(subject: string, data: Uint8Array): void {
    this.assertOpen();
    assertPublishSubject(subject);
    try {
      this.nc.publish(subject, data);
    } catch (err) {
      throw this.mapError(err, subject);
    }
  }

  subscribe(subject: string, options?: SubscribeOptions): Subscription {
    this.assertOpen();
    parseSubscribeSubject(subject);
    const filled = fillSubscribeOptions(options);
    let natsSubscription: ReturnType<NatsConnection["subscribe"]> | undefined;
    const subscription: BufferedSubscription = new BufferedSubscription(subject, filled, () => {
      this.subscriptions.delete(subscription);
      // Unsubscribing from a closed connection is moot; nats.js would throw.
      if (!this.nc.isClosed()) natsSubscription?.unsubscribe();
    });
    try {
      natsSubscription = this.nc.subscribe(subject, {
        ...(filled.queue !== undefined && { queue: filled.queue }),
        callback: (err, msg) => {
          if (err !== null) subscription.ended(this.mapError(err, subject));
          else subscription.deliver(new NatsMessage(msg, this));
        },
      });
    } catch (err) {
      throw this.mapError(err, subject);
    }
    // Drain, unsubscribe and connection close all end here.
    void natsSubscription.closed.then((err) => {
      this.subscriptions.delete(subscription);
      subscription.ended(err instanceof Error ? this.mapError(err, subject) : undefined);
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<TransportMessage> {
    this.assertOpen();
    assertPublishSubject(subject);
    const timeoutMs = requestTimeoutMs(options);
    try {
      const reply = await this.nc.request(subject, data, { timeout: timeoutMs });
      return new NatsMessage(reply, this);
    } catch (err) {
      throw this.mapError(err, subject, timeoutMs);
    }
  }

  async flush(): Promise<void> {
    this.assertOpen();
    try {
      await this.nc.flush();
    } catch (err) {
      throw this.mapError(err, "");
    }
  }

  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  onStatus(listener: (status: NatsTransportStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal Used by received messages to answer a request. */
  sendReply(reply: string, data: Uint8Array): void {
    this.assertOpen();
    try {
      this.nc.publish(reply, data);
    } catch (err) {
      throw this.mapError(err, reply);
    }
  }

  private async drainAndClose(): Promise<void> {
    if (this.nc.isClosed()) return;
    try {
      // drain(): unsubscribe everything, deliver what the server already
      // sent, flush our publishes, then close.
      await this.nc.drain();
    } catch {
      // Already closed or draining underneath us: just make sure it ends.
      await this.nc.close();
    }
  }

  private assertOpen(): void {
    if (this.closing !== undefined || this.nc.isClosed()) throw closedError();
  }

  private mapError(err: unknown, subject: string, timeoutMs = 0): unknown {
    if (err instanceof VigilError) return err;
    if (err instanceof natsErrors.TimeoutError) return timeoutError(subject, timeoutMs, err);
    if (err instanceof natsErrors.NoRespondersError) return noRespondersError(subject, err);
    if (err instanceof natsErrors.RequestError && err.isNoResponders()) return noRespondersError(subject, err);
    if (err instanceof natsErrors.ClosedConnectionError || err instanceof natsErrors.DrainingConnectionError) {
      return closedError(err);
    }
    if (err instanceof natsErrors.InvalidSubjectError) {
      return new VigilError("VIGIL_TRANSPORT_SUBJECT_INVALID", err.message, { cause: err });
    }
    // Anything that failed because we are closing (e.g. an in-flight request
    // cancelled with "connection closed") is reported as closed.
    if (this.closing !== undefined || this.nc.isClosed()) return closedError(err);
    return err;
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      const mapped = toTransportStatus(status);
      if (mapped === undefined) continue;
      for (const listener of this.listeners) {
        try {
          listener(mapped);
        } catch {
          // A failing listener must not stop status delivery to the others.
        }
      }
    }
  }
}

function toTransportStatus(status: Status): NatsTransportStatus | undefined {
  switch (status.type) {
    case "disconnect":
      return { type: "disconnect", server: status.server };
    case "reconnect":
      return { type: "reconnect", server: status.server };
    case "ldm":
      return { type: "lameDuck", server: status.server };
    case "error":
      return { type: "error", error: status.error };
    case "close":
      return { type: "close" };
    default:
      return undefined;
  }
}

/**
 * Wraps an existing connection (e.g. one also used for JetStream). The
 * transport owns it from then on: its close() drains and closes the connection.
 */
export function wrapNatsConnection(nc: NatsConnection): NatsTransport {
  return new NatsTransportImpl(nc);
}

/**
 * Connects to NATS and returns a transport over the new connection.
 *
 * @example
 * const transport = await connectNatsTransport({ servers: "nats://127.0.0.1:4222", name: "vigil-node-1" });
 */
export async function connectNatsTransport(options: NatsTransportOptions): Promise<NatsTransport> {
  const nc = await connect({
    servers: options.servers,
    ...(options.name !== undefined && { name: options.name }),
    maxReconnectAttempts: options.maxReconnectAttempts ?? -1,
    reconnectTimeWait: options.reconnectTimeWaitMs ?? DEFAULT_RECONNECT_TIME_WAIT_MS,
    timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(options.user !== undefined && { user: options.user }),
    ...(options.pass !== undefined && { pass: options.pass }),
    ...(options.token !== undefined && { token: options.token }),
  });
  return wrapNatsConnection(nc);
}
