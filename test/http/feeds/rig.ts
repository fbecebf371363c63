/**
 * A real uWS app with the feeds registered, listening on a free loopback
 * port, and real `ws` clients that record every frame. Waiting is always for
 * a frame, a close or a counter — never for time.
 */
import { Registry } from "prom-client";
import WebSocket from "ws";
import { App, closeListenSocket, listenSocketPort, type us_listen_socket } from "../../../src/http/uws.js";
import { defaults } from "../../../src/config/index.js";
import { FeedState, PublicationFeed, registerFeeds, type FeedLimits, type Feeds } from "../../../src/http/feeds/index.js";
import { silentLog } from "../../fixtures/actor-system.js";

export const TOKEN = "feed-test-key";

export interface FeedRig {
  readonly url: string;
  readonly source: PublicationFeed;
  readonly state: FeedState;
  readonly feeds: Feeds;
  readonly registry: Registry;
  /** The value of a counter or gauge (summed over its labels, or the one with `labels`). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): void;
}

/** The node's default limits (config defaults) with the test's changes. */
export async function startFeedRig(overrides: Partial<FeedLimits> = {}, feed?: { source: PublicationFeed; state: FeedState }): Promise<FeedRig> {
  const { path, ...defaultLimits } = defaults.feeds;
  const limits = { ...defaultLimits, ...overrides };
  const registry = new Registry();
  const source = feed?.source ?? new PublicationFeed();
  const state = feed?.state ?? new FeedState(source);
  const app = App();
  const feeds = registerFeeds(app, {
    source,
    snapshot: state,
    // The control API's key check stands in here as the simplest authenticator that can refuse.
    authenticate: (c) => (c.header("x-api-key") === TOKEN || c.token === TOKEN || c.header("authorization") === `Bearer ${TOKEN}` ? { id: "tester" } : undefined),
    logger: silentLog,
    registry,
    limits,
    path,
  });
  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen("127.0.0.1", 0, (s) => (s === false ? reject(new Error("uWS could not listen")) : resolve(s)));
  });
  const port = listenSocketPort(listenSocket);
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    source,
    state,
    feeds,
    registry,
    async metric(name, labels) {
      const m = registry.getSingleMetric(name);
      if (m === undefined) throw new Error(`no metric ${name}`);
      const { values } = await m.get();
      return values.filter((v) => labels === undefined || Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
    },
    stop() {
      feeds.close();
      closeListenSocket(listenSocket);
    },
  };
}

export interface FeedEventOnWire {
  kind: string;
  unit: string | null;
  sensor: string | null;
  event?: string;
  data: Record<string, unknown>;
}

export interface ServerFrame {
  type: string;
  id?: string;
  code?: string;
  subscriptions?: number;
  last?: boolean;
  conflated?: boolean;
  events?: FeedEventOnWire[];
}

/** A `ws` client that keeps every frame and lets a test wait for the one it needs. */
export class FeedClient {
  readonly frames: ServerFrame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number } | undefined;
  /** Pings received from the server. */
  pings = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString("utf8")) as ServerFrame);
      this.wake();
    });
    ws.on("ping", () => {
      this.pings++;
      this.wake();
    });
    ws.on("close", (code: number) => {
      this.closed = { code };
      this.wake();
    });
  }

  static async connect(url: string, options: WebSocket.ClientOptions = { headers: { "x-api-key": TOKEN } }): Promise<FeedClient> {
    const ws = new WebSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new FeedClient(ws);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Every live or conflated event received so far, in order. */
  events(): FeedEventOnWire[] {
    return this.frames.filter((f) => f.type === "events").flatMap((f) => f.events ?? []);
  }

  /** Resolves once `done()` holds (checked on every frame and on close); rejects if the socket closes first. */
  async until<T>(done: () => T | undefined | false, what: string): Promise<T> {
    for (;;) {
      const result = done();
      if (result !== undefined && result !== false) return result;
      if (this.closed !== undefined) throw new Error(`closed (${this.closed.code}) while waiting for ${what}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The first frame from index `from` on that `match` accepts. */
  async frame(match: (f: ServerFrame) => boolean, what: string, from = 0): Promise<ServerFrame> {
    return this.until(() => this.frames.slice(from).find(match), what);
  }

  async subscribe(selection: Record<string, unknown>): Promise<ServerFrame[]> {
    const id = `s${this.frames.length}-${Math.random().toString(36).slice(2)}`;
    const from = this.frames.length;
    this.send({ type: "subscribe", id, ...selection });
    await this.frame((f) => f.id === id && (f.type === "error" || (f.type === "snapshot" && f.last === true)), `the answer to ${id}`, from);
    return this.frames.slice(from).filter((f) => f.id === id);
  }

  async whenClosed(): Promise<number> {
    return (await this.until(() => this.closed, "close")).code;
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** A processed reading as a sensor actor publishes it (only the fields the feeds pass through matter). */
export function reading(unit: string, sensor: string, value: number, ts = 1_700_000_000_000): string {
  return JSON.stringify({ unit, sensor, ts, value, quality: "GOOD", source: "simulator", anomaly: false, score: 0, severity: null, category: null, method: "RULES", model_version: null, reasons: [], receivedAt: ts, processedAt: ts });
}

export function publishReading(source: PublicationFeed, unit: string, sensor: string, value: number): void {
  source.publication(`vigil.processed.${unit}.${sensor}`, reading(unit, sensor, value));
}
