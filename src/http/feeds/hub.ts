/**
 * The feed hub: connections, their subscriptions, and delivery. It knows
 * nothing of the socket library (a FeedSocket is four methods), so the same
 * hub runs on uWebSockets.js in the node and on `ws` as the bench's baseline.
 *
 * Delivery: events arriving in one turn of the event loop are gathered and
 * sent at the end of it (setImmediate), or at once when many have gathered.
 * Each event was serialised once (events.ts); per flush, each group of
 * clients with the same subscriptions filters the batch once and builds one
 * frame, which every member receives as the same bytes.
 *
 * Backpressure, per client: while its socket holds more than
 * `conflateAboveBytes` unsent, the client gets nothing directly; its events
 * are kept as the latest per key (a slow dashboard needs the current value,
 * not the history it missed) and go out, marked `conflated`, once the socket
 * has drained below half that. A client still behind after `maxBehindMs`,
 * holding more than `maxConflatedKeys` keys, or with more than
 * `disconnectAboveBytes` unsent, is disconnected. What a client costs is
 * therefore bounded by those limits, never by how far it has fallen behind.
 */
import type { Logger } from "../../runtime/log.js";
import type { FeedEvent } from "./events.js";
import type { FeedLimits } from "./limits.js";
import type { FeedMetrics } from "./metrics.js";
import { ackFrame, errorFrame, eventsFrame, parseClientMessage, snapshotFrame, type ClientMessage, type FeedErrorCode } from "./protocol.js";
import { compileFilter, signatureOf, triplesOf, type CompiledFilter } from "./selection.js";
import type { FeedSource } from "./source.js";
import type { SnapshotProvider } from "./state.js";

/** What the hub needs of a client's socket. */
export interface FeedSocket {
  /** Sends one text frame; false when the socket would not take it. */
  send(frame: Buffer): boolean;
  /** Bytes accepted by send but not yet written to the network. */
  bufferedAmount(): number;
  /** Closing handshake with a code and reason. */
  end(code: number, reason: string): void;
  /** Drops the connection at once, freeing its buffers. */
  terminate(): void;
}

/** Who is connected, as the authenticator said. */
export interface FeedPrincipal {
  readonly id: string;
}

export const CLOSE_SHUTDOWN = 1001; // "going away"

export interface FeedHubOptions {
  readonly source: FeedSource;
  readonly snapshot: SnapshotProvider;
  readonly limits: FeedLimits;
  readonly metrics: FeedMetrics;
  readonly logger: Logger;
  /** Epoch ms; injected so tests of time limits need not sleep. */
  readonly now?: () => number;
}

/** A connected client; opaque outside the hub. */
export interface FeedConnection {
  readonly principal: FeedPrincipal;
}

interface Group {
  readonly signature: string;
  readonly filter: CompiledFilter;
  readonly members: Set<Connection>;
}

class Connection implements FeedConnection {
  readonly triples = new Set<string>();
  group: Group | undefined;
  /** When it fell behind (epoch ms); 0 while it keeps up. */
  behindSince = 0;
  /** Latest event JSON per key while behind. */
  readonly conflated = new Map<string, string>();
  tokens: number;
  refilledAt: number;
  open = true;

  constructor(
    readonly socket: FeedSocket,
    readonly principal: FeedPrincipal,
    burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }
}

/** Past this many gathered events a flush happens at once: the gathering is bounded too. */
const MAX_GATHERED = 4096;

export class FeedHub {
  private readonly connections = new Set<Connection>();
  private readonly groups = new Map<string, Group>();
  private readonly behind = new Set<Connection>();
  private gathered: FeedEvent[] = [];
  private flushArmed = false;
  private closing = false;
  private readonly stopListening: () => void;
  private readonly limits: FeedLimits;
  private readonly metrics: FeedMetrics;
  private readonly now: () => number;

  constructor(private readonly options: FeedHubOptions) {
    this.limits = options.limits;
    this.metrics = options.metrics;
    this.now = options.now ?? Date.now;
    this.stopListening = options.source.listen((event) => this.take(event));
  }

  get clientCount(): number {
    return this.connections.size;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  open(socket: FeedSocket, principal: FeedPrincipal): FeedConnection {
    const c = new Connection(socket, principal, this.limits.maxMessagesPerSec, this.now());
    this.connections.add(c);
    this.metrics.clients.set(this.connections.size);
    return c;
  }

  /** The socket is gone (whoever closed it); forgets the connection. Safe to call twice. */
  closed(connection: FeedConnection): void {
    const c = connection as Connection;
    if (!c.open) return;
    c.open = false;
    this.leaveGroup(c);
    this.behind.delete(c);
    c.conflated.clear();
    this.connections.delete(c);
    this.metrics.clients.set(this.connections.size);
    if (c.triples.size > 0) void this.demandChanged()?.catch(() => undefined);
  }

  /** The socket's buffer drained: a client that was behind may catch up now. */
  drained(connection: FeedConnection): void {
    const c = connection as Connection;
    if (c.open && c.behindSince !== 0) this.catchUp(c, this.now());
  }

  /** One text message from a client. */
  message(connection: FeedConnection, text: string): void {
    const c = connection as Connection;
    if (!c.open) return;
    if (!this.takeToken(c)) return this.refuse(c, "VIGIL_FEED_RATE_LIMITED", `more than ${this.limits.maxMessagesPerSec} messages per second`);
    const msg = parseClientMessage(text);
    if (typeof msg === "string") return this.refuse(c, "VIGIL_FEED_MESSAGE_INVALID", msg);
    if (msg.type === "subscribe") this.subscribe(c, msg);
    else this.unsubscribe(c, msg);
  }

  /** Stops taking events and ends every connection with 1001 ("going away"), after what was gathered is sent. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopListening();
    this.flush();
    for (const c of [...this.connections]) {
      this.metrics.disconnects.inc({ reason: "shutdown" });
      c.socket.end(CLOSE_SHUTDOWN, "server shutting down");
      this.closed(c);
    }
  }

  private subscribe(c: Connection, msg: Extract<ClientMessage, { type: "subscribe" }>): void {
    const triples = triplesOf(msg);
    const added = triples.filter((t) => !c.triples.has(t));
    if (c.triples.size + added.length > this.limits.maxSubscriptions) {
      return this.refuse(c, "VIGIL_FEED_SUBSCRIPTION_LIMIT", `at most ${this.limits.maxSubscriptions} subscriptions (kind × unit × sensor); this one would make ${c.triples.size + added.length}`, msg.id);
    }
    for (const t of added) c.triples.add(t);
    const ready = this.demandChanged();
    if (ready === undefined) {
      if (added.length > 0) this.regroup(c);
      this.sendControl(c, ackFrame("subscribed", msg.id, c.triples.size));
      this.sendSnapshot(c, msg.id, compileFilter(triples));
      return;
    }
    this.sendControl(c, ackFrame("subscribed", msg.id, c.triples.size));
    // Live events of the new triples start with the snapshot: what the provider gathers meanwhile is in it, not sent twice.
    const joinAndSnapshot = (): void => {
      if (!c.open) return;
      this.flush(); // what was gathered goes out under the client's old subscriptions
      this.regroup(c);
      this.sendSnapshot(c, msg.id, compileFilter(triples));
    };
    ready.then(joinAndSnapshot, joinAndSnapshot);
  }

  /** Tells a provider that gathers on demand every client's triples now; undefined when it does not. */
  private demandChanged(): Promise<void> | undefined {
    const provider = this.options.snapshot;
    if (provider.demand === undefined) return undefined;
    const all = new Set<string>();
    for (const c of this.connections) for (const t of c.triples) all.add(t);
    return provider.demand(all);
  }

  private unsubscribe(c: Connection, msg: Extract<ClientMessage, { type: "unsubscribe" }>): void {
    const before = c.triples.size;
    if (msg.all === true) c.triples.clear();
    else for (const t of triplesOf(msg)) c.triples.delete(t);
    if (c.triples.size !== before) {
      this.regroup(c);
      void this.demandChanged()?.catch(() => undefined);
    }
    this.sendControl(c, ackFrame("unsubscribed", msg.id, c.triples.size));
  }

  private sendSnapshot(c: Connection, id: string | undefined, filter: CompiledFilter): void {
    const events = this.options.snapshot.snapshot(filter.matches);
    const per = this.limits.snapshotFrameEvents;
    for (let i = 0; i === 0 || i < events.length; i += per) {
      if (!c.open) return;
      const chunk = events.slice(i, i + per).map((e) => e.json);
      this.sendControl(c, snapshotFrame(id, chunk, i + per >= events.length));
    }
  }

  private refuse(c: Connection, code: FeedErrorCode, message: string, id?: string): void {
    this.metrics.refused(code);
    this.sendControl(c, errorFrame(code, message, id));
  }

  /** Answers (acks, snapshots, errors) always go out; only the byte limit stops them. */
  private sendControl(c: Connection, frame: string): void {
    if (!c.open) return;
    c.socket.send(Buffer.from(frame));
    this.metrics.framesSent.inc();
    if (c.socket.bufferedAmount() > this.limits.disconnectAboveBytes) this.disconnectSlow(c, "unsent bytes over the limit after an answer");
  }

  private takeToken(c: Connection): boolean {
    const now = this.now();
    const rate = this.limits.maxMessagesPerSec;
    c.tokens = Math.min(rate, c.tokens + ((now - c.refilledAt) * rate) / 1000);
    c.refilledAt = now;
    if (c.tokens < 1) return false;
    c.tokens -= 1;
    return true;
  }

  private regroup(c: Connection): void {
    this.leaveGroup(c);
    if (c.triples.size === 0) return;
    const signature = signatureOf(c.triples);
    let group = this.groups.get(signature);
    if (group === undefined) {
      group = { signature, filter: compileFilter(c.triples), members: new Set() };
      this.groups.set(signature, group);
    }
    group.members.add(c);
    c.group = group;
  }

  private leaveGroup(c: Connection): void {
    const group = c.group;
    if (group === undefined) return;
    group.members.delete(c);
    if (group.members.size === 0) this.groups.delete(group.signature);
    c.group = undefined;
  }

  private take(event: FeedEvent): void {
    if (this.groups.size === 0) return;
    this.gathered.push(event);
    if (this.gathered.length >= MAX_GATHERED) this.flush();
    else if (!this.flushArmed) {
      this.flushArmed = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what was gathered: one filtering pass and one frame per group. */
  flush(): void {
    this.flushArmed = false;
    const batch = this.gathered;
    this.gathered = [];
    let delivered = 0;
    let frames = 0;
    let conflated = 0;
    if (batch.length > 0) {
      for (const group of this.groups.values()) {
        const events = group.filter.all ? batch : batch.filter(group.filter.matches);
        if (events.length === 0) continue;
        let frame: Buffer | undefined;
        for (const c of group.members) {
          if (c.behindSince === 0 && c.socket.bufferedAmount() > this.limits.conflateAboveBytes) this.fallBehind(c);
          if (c.behindSince !== 0) {
            conflated += this.conflate(c, events);
            continue;
          }
          frame ??= Buffer.from(eventsFrame(events.map((e) => e.json)));
          if (c.socket.send(frame)) {
            delivered += events.length;
            frames++;
          } else this.disconnectSlow(c, "the socket refused a frame");
        }
      }
    }
    if (this.behind.size > 0) {
      const now = this.now();
      for (const c of this.behind) this.catchUp(c, now);
    }
    if (delivered > 0) this.metrics.eventsDelivered.inc(delivered);
    if (frames > 0) this.metrics.framesSent.inc(frames);
    if (conflated > 0) this.metrics.eventsConflated.inc(conflated);
  }

  private fallBehind(c: Connection): void {
    c.behindSince = this.now();
    this.behind.add(c);
    this.metrics.conflations.inc();
  }

  private conflate(c: Connection, events: readonly FeedEvent[]): number {
    for (const e of events) c.conflated.set(e.key, e.json);
    if (c.conflated.size > this.limits.maxConflatedKeys) this.disconnectSlow(c, `more than ${this.limits.maxConflatedKeys} keys held back`);
    return events.length;
  }

  /** Sends a behind client its held-back latest values while its socket takes them; disconnects it past a limit. */
  private catchUp(c: Connection, now: number): void {
    if (!c.open) return;
    const buffered = c.socket.bufferedAmount();
    if (buffered > this.limits.disconnectAboveBytes) return this.disconnectSlow(c, "unsent bytes over the limit");
    if (buffered > this.limits.conflateAboveBytes / 2) {
      if (now - c.behindSince > this.limits.maxBehindMs) this.disconnectSlow(c, `behind for more than ${this.limits.maxBehindMs} ms`);
      return;
    }
    let delivered = 0;
    let frames = 0;
    const per = this.limits.snapshotFrameEvents;
    while (c.conflated.size > 0 && c.socket.bufferedAmount() <= this.limits.conflateAboveBytes / 2) {
      const chunk: string[] = [];
      for (const [key, json] of c.conflated) {
        chunk.push(json);
        c.conflated.delete(key);
        if (chunk.length === per) break;
      }
      if (!c.socket.send(Buffer.from(eventsFrame(chunk, true)))) break;
      delivered += chunk.length;
      frames++;
    }
    if (c.conflated.size === 0) {
      c.behindSince = 0;
      this.behind.delete(c);
    }
    if (delivered > 0) this.metrics.eventsDelivered.inc(delivered);
    if (frames > 0) this.metrics.framesSent.inc(frames);
  }

  private disconnectSlow(c: Connection, why: string): void {
    if (!c.open) return;
    this.metrics.disconnects.inc({ reason: "slow_consumer" });
    this.options.logger.warn({ client: c.principal.id, why }, "feed client disconnected: slow consumer");
    this.closed(c);
    c.socket.terminate();
  }
}
