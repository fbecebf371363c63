/**
 * Publishes into a JetStream stream without a request per message: every
 * publish carries a reply subject under one inbox of this publisher, whose
 * single subscription settles each publish by its token when the stream's
 * acknowledgement arrives. What the client's request/reply costs per message
 * — a mux entry, a timer set and cleared, an Error built (with its stack) to
 * reject a promise already resolved — was a tenth of a cluster node's CPU
 * per reading. Publishes are not awaited one by one: many are in flight at
 * once, each settled on its own.
 *
 * A publish not acknowledged within `timeoutMs` is rejected (swept once a
 * second, oldest first: no timer per publish), as is one the stream refuses
 * or that nothing answers. The caller retries with the same message id; the
 * stream stores it once.
 */
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/nats-core";
import { VigilError } from "../errors.js";

const SWEEP_MS = 1_000;
const NO_RESPONDERS = 503;

interface InFlight {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly subject: string;
  readonly deadline: number;
}

export class StreamPublisher {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  /** By token, in publishing order (so also by deadline). */
  private readonly inFlight = new Map<string, InFlight>();
  private next = 0;
  private readonly sweeper: NodeJS.Timeout;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5_000,
  ) {
    this.prefix = `${createInbox()}.`;
    this.subscription = nc.subscribe(`${this.prefix}*`, { callback: (_err, msg) => this.settle(msg) });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /** Resolves once the stream has stored the message (or had it already, by its id). */
  publish(subject: string, data: string, msgID: string): Promise<void> {
    const token = (this.next++).toString(36);
    const h = headers();
    h.set("Nats-Msg-Id", msgID);
    return new Promise<void>((resolve, reject) => {
      this.inFlight.set(token, { resolve, reject, subject, deadline: Date.now() + this.timeoutMs });
      try {
        this.nc.publish(subject, data, { reply: this.prefix + token, headers: h });
      } catch (err) {
        this.inFlight.delete(token);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Rejects what is in flight and stops listening for acknowledgements. */
  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    for (const [token, p] of this.inFlight) {
      this.inFlight.delete(token);
      p.reject(new VigilError("VIGIL_TRANSPORT_CLOSED", `publishing to ${p.subject}: the publisher closed before the stream acknowledged it`));
    }
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length);
    const p = this.inFlight.get(token);
    if (p === undefined) return; // timed out already
    this.inFlight.delete(token);
    if (msg.headers?.code === NO_RESPONDERS) {
      p.reject(new VigilError("VIGIL_TRANSPORT_NO_RESPONDERS", `publishing to ${p.subject}: no stream takes the subject`));
      return;
    }
    // An acknowledgement is {"stream":…,"seq":…[,"duplicate":true]}; only a refusal, rare, is parsed.
    const answer = this.decoder.decode(msg.data);
    if (!answer.includes('"error"')) {
      p.resolve();
      return;
    }
    let description = answer;
    try {
      description = (JSON.parse(answer) as { error?: { description?: string } }).error?.description ?? answer;
    } catch {
      // not JSON: said as it came
    }
    p.reject(new VigilError("VIGIL_CLUSTER_PUBLISH_REFUSED", `publishing to ${p.subject}: the stream refused it: ${description}`));
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.inFlight) {
      if (p.deadline > now) break;
      this.inFlight.delete(token);
      p.reject(new VigilError("VIGIL_TRANSPORT_TIMEOUT", `publishing to ${p.subject}: no acknowledgement from the stream within ${this.timeoutMs} ms`));
    }
  }
}
