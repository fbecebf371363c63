/**
 * The MQTT connector: one client connection to a broker that subscribes to
 * the configured topic patterns, hands what arrives to the ingest gateway,
 * and publishes results back.
 *
 * At-least-once at QoS 1: the plain publishes are read off the socket by a
 * PublishTap (publish-tap.ts), the rest by mqtt.js (client.js `work()`,
 * handlers/publish.js); both send a PUBACK once `onPublish`'s callback runs,
 * and handle one incoming packet at a time until it does. We call back only
 * once the gateway has accepted the message's readings (at once, in the
 * usual case where the actors' mailboxes take them on the spot), so a crash
 * in between leaves the message unacknowledged and the broker redelivers
 * it. The session is persistent (`clean: false`, a stable client id, an
 * MQTT 5 session expiry), so the broker also keeps QoS 1 messages while we
 * are away. Waiting for acceptance is also our backpressure: while the
 * actors refuse readings, the socket is not read.
 *
 * In a cluster every node subscribes under the same share group
 * (`mqtt.sharedGroup`), and the broker delivers each message to one of them;
 * acknowledgement is per message as above, so a node that dies with a message
 * in hand leaves it to the broker.
 *
 * Subscriptions are made on every connect rather than left to mqtt.js's
 * `resubscribe`, so they are restored even when a restarted broker has
 * forgotten our session, and `status().subscribes` shows it.
 *
 * At run time (the control API) an operator may `disconnect()` (drained
 * like a stop, the session kept) and `connect()` again, and `subscribe()`
 * to one more topic mapping or `unsubscribe()` from one; the object stays
 * the same, so whoever holds it (health, publish-back) keeps working.
 * Changed mappings last until the process ends: the config file is what a
 * restart reads.
 */
import type { Duplex } from "node:stream";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { topicMappingSchema, type TopicMapping, type VigilConfig } from "../../../config/index.js";
import { BoundedMemo, VigilError } from "../../../runtime/index.js";
import type { IngestGateway } from "../../ingest/index.js";
import { isRejection, preview } from "../decode.js";
import { PublishTap } from "./publish-tap.js";
import { MqttStateGauge, type MqttConnectionState, type MqttStatus } from "./status.js";
import { compileRoute, findRoute, type PayloadDecoder, type TopicRoute } from "./topic-route.js";

export type MqttSettings = Omit<VigilConfig["mqtt"], "enabled">;

/** Topics whose decoder is kept; past this many the memo starts over (a plant's sensors fit, a flood of odd topics cannot grow it). */
const MAX_MEMO_TOPICS = 100_000;

export interface MqttConnectorOptions {
  readonly settings: MqttSettings;
  readonly gateway: IngestGateway;
  readonly log: Logger;
  /** Where the connection-state gauge goes; none when undefined. */
  readonly registry?: Registry;
}

export interface MqttPublishOptions {
  /** @default 0 */
  readonly qos?: 0 | 1;
  /** @default false */
  readonly retain?: boolean;
}

type StatusListener = (status: MqttStatus) => void;

export class MqttConnector {
  private readonly client: MqttClient;
  private readonly routes: TopicRoute[];
  /** topic → its route's decoder with the ids filled: matching and templating once per topic, not per message. Cleared when the routes change. */
  private readonly decoders = new BoundedMemo<string, PayloadDecoder>(MAX_MEMO_TOPICS);
  private readonly settings: MqttSettings;
  private readonly gateway: IngestGateway;
  private readonly log: Logger;
  private readonly gauge: MqttStateGauge | undefined;
  private readonly listeners = new Set<StatusListener>();
  private readonly publishes = new Set<(err: Error) => void>();
  private current: MqttStatus;
  /** Kept apart from `current` so the per-message path does not copy the status. */
  private messageCount = 0;
  /** Bumped whenever the connection ends: an ack may only go out on the connection its message came on. */
  private epoch = 0;
  /** The message being handed to the gateway; mqtt.js hands us one at a time. */
  private inHand: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Set by disconnect(), cleared by connect(): the connection is closed on purpose and not reconnected. */
  private pausing: Promise<void> | undefined;
  /** Filters unmapped while away: the persistent session still holds them, so the next connect unsubscribes. */
  private readonly staleFilters = new Set<string>();

  /** Connects in the background; watch `status()` / `onStatus`, or await `ready()`. */
  constructor(options: MqttConnectorOptions) {
    this.settings = options.settings;
    this.gateway = options.gateway;
    this.log = options.log;
    this.routes = options.settings.topics.map(compileRoute);
    this.gauge = options.registry === undefined ? undefined : new MqttStateGauge(options.registry);
    this.current = {
      state: "connecting",
      url: options.settings.url,
      clientId: options.settings.clientId,
      connects: 0,
      subscribes: 0,
      sessionResumed: false,
      messages: 0,
      pendingPublishes: 0,
      lastError: null,
      topics: this.routes.map((r) => r.pattern),
      since: Date.now(),
    };
    this.gauge?.set(this.current.clientId, "connecting");
    this.client = mqtt.connect(options.settings.url, { ...clientOptions(options.settings), manualConnect: true });
    this.client.handleMessage = (packet, callback) => this.onPublish(packet.topic, packet.payload as Buffer, callback);
    // Each connection's socket goes through a PublishTap, which hands the plain publishes to onPublish without mqtt.js's parser.
    // `streamBuilder` is mqtt.js's own (tcp, tls …, chosen from the URL), private in its typings; manualConnect lets it be wrapped before the first connect.
    const client = this.client as unknown as { streamBuilder: (client: MqttClient) => Duplex };
    const build = client.streamBuilder;
    const mqtt5 = options.settings.protocolVersion === 5;
    client.streamBuilder = (c) => new PublishTap(build(c), mqtt5, (topic, payload, done) => this.onPublish(topic, payload, done));
    this.client.on("connect", (connack) => this.onConnect(connack.sessionPresent));
    this.client.on("close", () => this.onClose());
    this.client.on("reconnect", () => this.setState("reconnecting"));
    this.client.on("error", (err) => this.onError(err));
    this.client.connect();
  }

  status(): MqttStatus {
    if (this.current.messages !== this.messageCount) this.current = { ...this.current, messages: this.messageCount };
    return this.current;
  }

  /** Called on every state change and (re)subscription. Returns an unsubscribe function. */
  onStatus(listener: StatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once connected and subscribed; rejects with VIGIL_MQTT_NOT_CONNECTED if stopped first. */
  async ready(): Promise<void> {
    const s = await this.until((s) => s.state === "connected");
    if (s.state !== "connected") throw new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector stopped before it connected");
  }

  /** The first status (now or later) that satisfies `predicate`, or the stopped one. */
  private until(predicate: (s: MqttStatus) => boolean): Promise<MqttStatus> {
    const now = this.status();
    if (predicate(now) || now.state === "stopped") return Promise.resolve(now);
    return new Promise((resolve) => {
      const off = this.onStatus((s) => {
        if (!predicate(s) && s.state !== "stopped") return;
        off();
        resolve(s);
      });
    });
  }

  /**
   * Publishes a result back, e.g. to `formatTopic("solar/{device}/forecast", {device})`.
   * Resolves once written (QoS 0) or acknowledged by the broker (QoS 1). QoS 1
   * messages wait for a reconnect, at most `maxPendingPublishes` of them.
   * Rejects with VIGIL_MQTT_TOPIC_INVALID, VIGIL_MQTT_NOT_CONNECTED (QoS 0
   * while away, or stopped), VIGIL_MQTT_BACKLOG_FULL or VIGIL_MQTT_PUBLISH_FAILED.
   */
  publish(topic: string, payload: string | Uint8Array, options: MqttPublishOptions = {}): Promise<void> {
    const qos = options.qos ?? 0;
    if (topic === "" || /[+#]/.test(topic) || topic.startsWith("$")) {
      return Promise.reject(new VigilError("VIGIL_MQTT_TOPIC_INVALID", `cannot publish to ${preview(topic)}: wildcards, $-topics and the empty topic are not publishable`));
    }
    if (this.stopping !== undefined) return Promise.reject(new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is stopped"));
    // mqtt.js would drop a QoS 1 backlog on the reconnect that ends a pause.
    if (this.pausing !== undefined) return Promise.reject(new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is disconnected by an operator"));
    // mqtt.js would queue QoS 0 offline without bound; at most once means it may go.
    if (qos === 0 && !this.client.connected) return Promise.reject(new VigilError("VIGIL_MQTT_NOT_CONNECTED", `not connected to ${this.settings.url}; QoS 0 is not queued`));
    if (this.publishes.size >= this.settings.maxPendingPublishes) {
      return Promise.reject(new VigilError("VIGIL_MQTT_BACKLOG_FULL", `${this.publishes.size} publishes are waiting for ${this.settings.url}`));
    }
    return new Promise((resolve, reject) => {
      const fail = (err: Error): void => {
        this.publishes.delete(fail);
        this.update({ pendingPublishes: this.publishes.size });
        reject(err);
      };
      this.publishes.add(fail);
      this.update({ pendingPublishes: this.publishes.size });
      this.client.publish(topic, Buffer.from(payload), { qos, retain: options.retain ?? false }, (err) => {
        if (!this.publishes.has(fail)) return; // already failed by stop()
        if (err) {
          fail(new VigilError("VIGIL_MQTT_PUBLISH_FAILED", `publish to ${preview(topic)} failed: ${err.message}`, { cause: err }));
          return;
        }
        this.publishes.delete(fail);
        this.update({ pendingPublishes: this.publishes.size });
        resolve();
      });
    });
  }

  /**
   * Stops: the message in hand and pending publish-backs get `drainTimeoutMs`
   * to finish, then the connection closes (a clean DISCONNECT if nothing is
   * left, which keeps the session). Anything not acknowledged by then is
   * redelivered by the broker to our next session. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.pausing; // a disconnect under way closes the client first
    const clean = await this.closeConnection("stopped");
    this.setState("stopped");
    this.log.info({ clientId: this.settings.clientId, clean }, "mqtt connector stopped");
  }

  /**
   * Closes the connection on an operator's word, drained as `stop()` is (the
   * session kept, so QoS 1 messages wait at the broker), and stays away
   * until `connect()`. Resolves with the `paused` status; idempotent.
   */
  async disconnect(): Promise<MqttStatus> {
    if (this.stopping !== undefined) throw new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is stopped");
    this.pausing ??= (async () => {
      const clean = await this.closeConnection("disconnected by an operator");
      this.setState("paused");
      this.log.info({ clientId: this.settings.clientId, clean }, "mqtt connector disconnected by an operator");
    })();
    await this.pausing;
    return this.status();
  }

  /**
   * Connects again after `disconnect()`. Resolves with the status once
   * connected and subscribed, or after `connectTimeoutMs` while it keeps
   * trying in the background (see `status().lastError`). No change when not paused.
   */
  async connect(): Promise<MqttStatus> {
    if (this.stopping !== undefined) throw new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is stopped");
    const pausing = this.pausing;
    if (pausing === undefined) return this.status();
    await pausing;
    if (this.pausing !== pausing) return this.status(); // another connect() got here first
    this.pausing = undefined;
    this.setState("connecting");
    this.client.reconnect();
    const deadline = timeout(this.settings.connectTimeoutMs);
    try {
      await Promise.race([this.until((s) => s.state === "connected"), deadline.promise]);
    } finally {
      deadline.cancel();
    }
    return this.status();
  }

  /**
   * Adds a topic mapping (the config's `mqtt.topics` shape, validated here
   * too) and subscribes to it now when connected, else on the next connect.
   * VIGIL_MQTT_TOPIC_EXISTS when its pattern is mapped already,
   * VIGIL_MQTT_SUBSCRIBE_FAILED when the broker refuses it (it is not kept).
   */
  async subscribe(input: TopicMapping): Promise<MqttStatus> {
    if (this.stopping !== undefined) throw new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is stopped");
    const mapping = topicMappingSchema.parse(input);
    if (this.routes.some((r) => r.pattern === mapping.topic)) {
      throw new VigilError("VIGIL_MQTT_TOPIC_EXISTS", `topic pattern ${mapping.topic} is mapped already`);
    }
    const route = compileRoute(mapping);
    this.routes.push(route);
    this.decoders.clear();
    this.update({ topics: this.routes.map((r) => r.pattern) });
    if (this.current.state !== "connected") return this.status();
    try {
      await this.subscribeNow([route]);
    } catch (err) {
      this.routes.splice(this.routes.indexOf(route), 1);
      this.decoders.clear();
      this.update({ topics: this.routes.map((r) => r.pattern) });
      throw new VigilError("VIGIL_MQTT_SUBSCRIBE_FAILED", `cannot subscribe to ${mapping.topic}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.log.info({ topic: mapping.topic }, "mqtt topic mapping added");
    return this.status();
  }

  /**
   * Removes the topic mapping of `pattern` (as listed in `status().topics`)
   * and unsubscribes from its filter, unless another mapping still needs
   * it: now when connected, else on the next connect (the broker's session
   * keeps it meanwhile). VIGIL_MQTT_TOPIC_UNKNOWN when nothing maps it;
   * VIGIL_MQTT_SUBSCRIBE_FAILED when the broker refuses (the mapping stays).
   */
  async unsubscribe(pattern: string): Promise<MqttStatus> {
    if (this.stopping !== undefined) throw new VigilError("VIGIL_MQTT_NOT_CONNECTED", "the MQTT connector is stopped");
    const route = this.routes.find((r) => r.pattern === pattern);
    if (route === undefined) throw new VigilError("VIGIL_MQTT_TOPIC_UNKNOWN", `no topic mapping ${pattern}; mapped: ${this.routes.map((r) => r.pattern).join(", ") || "none"}`);
    const at = this.routes.indexOf(route);
    this.routes.splice(at, 1);
    this.decoders.clear();
    this.update({ topics: this.routes.map((r) => r.pattern) });
    const filter = subscriptionFilter(route.filter, this.settings.sharedGroup);
    if (this.routes.some((r) => r.filter === route.filter)) return this.status();
    if (this.current.state !== "connected") {
      this.staleFilters.add(filter);
      return this.status();
    }
    try {
      await this.client.unsubscribeAsync(filter);
    } catch (err) {
      this.routes.splice(at, 0, route);
      this.decoders.clear();
      this.update({ topics: this.routes.map((r) => r.pattern) });
      throw new VigilError("VIGIL_MQTT_SUBSCRIBE_FAILED", `cannot unsubscribe from ${route.filter}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.log.info({ topic: pattern }, "mqtt topic mapping removed");
    return this.status();
  }

  /** The subscription filters of `routes` with their QoS (and, on MQTT 5, no retained messages on resubscribe). */
  private filtersOf(routes: readonly TopicRoute[]): Record<string, { qos: 0 | 1; rh?: 1 }> {
    const v5 = this.settings.protocolVersion === 5;
    return Object.fromEntries(routes.map((r) => [subscriptionFilter(r.filter, this.settings.sharedGroup), v5 ? { qos: r.qos, rh: 1 as const } : { qos: r.qos }]));
  }

  private subscribeNow(routes: readonly TopicRoute[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.subscribe(this.filtersOf(routes), (err, granted) => {
        if (err) return reject(err);
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length > 0) return reject(new Error(`the broker refused the subscriptions ${refused.join(", ")}`));
        resolve();
      });
    });
  }

  /** Drains what is in hand (up to drainTimeoutMs), then ends the connection; true when nothing was left behind. */
  private async closeConnection(why: string): Promise<boolean> {
    const deadline = timeout(this.settings.drainTimeoutMs);
    try {
      const inHand = this.inHand?.catch(() => undefined);
      await Promise.race([Promise.all([inHand, this.until((s) => s.pendingPublishes === 0)]), deadline.promise]);
    } finally {
      deadline.cancel();
    }
    // From here on nothing is acknowledged: what is still in hand stays with the broker.
    this.epoch++;
    const clean = this.client.connected && this.inHand === undefined && this.publishes.size === 0;
    await this.client.endAsync(!clean);
    for (const fail of [...this.publishes]) fail(new VigilError("VIGIL_MQTT_NOT_CONNECTED", `the MQTT connector was ${why} before the broker confirmed the publish`));
    return clean;
  }

  private onPublish(topic: string, payload: Buffer, callback: (err?: Error) => void): void {
    // Left unacknowledged: the broker hands it to our next session.
    if (this.stopping !== undefined || this.pausing !== undefined) return callback(new Error("mqtt connector stopping or paused"));
    this.messageCount++;
    if (this.listeners.size > 0) this.notify();
    let work: Promise<void> | undefined;
    try {
      work = this.ingest(topic, payload);
    } catch (err) {
      this.unhanded(err, topic, callback);
      return;
    }
    // Taken on the spot, the usual case: acknowledged now, with no promise made per message.
    if (work === undefined) return callback();
    const epoch = this.epoch;
    this.inHand = work;
    work.then(
      () => {
        this.inHand = undefined;
        // An ack on a later connection could name another message with the same packet id.
        if (epoch !== this.epoch) callback(new Error("connection changed before the message was accepted"));
        else callback();
      },
      (err: unknown) => {
        this.inHand = undefined;
        this.unhanded(err, topic, callback);
      },
    );
  }

  private unhanded(err: unknown, topic: string, callback: (err?: Error) => void): void {
    this.log.error({ err, topic }, "mqtt message could not be handed to the system; left unacknowledged");
    callback(err instanceof Error ? err : new Error(String(err)));
  }

  /** Undefined once the message's readings are accepted or its rejection counted; else a promise of that (backpressure, a cluster route). */
  private ingest(topic: string, payload: Buffer): Promise<void> | undefined {
    const decode = this.decoders.get(topic) ?? this.decoderFor(topic);
    if (decode === undefined) {
      this.gateway.reject("mqtt", "malformed_topic", `topic ${preview(topic)} fits no configured pattern (${this.routes.map((r) => r.pattern).join(", ")})`);
      return undefined;
    }
    if (payload.length > this.settings.maxPayloadBytes) {
      this.gateway.reject("mqtt", "payload_too_large", `${payload.length} bytes on ${preview(topic)}; at most ${this.settings.maxPayloadBytes} are accepted`);
      return undefined;
    }
    const readings = decode(payload);
    if (isRejection(readings)) {
      this.gateway.reject("mqtt", readings.reason, `${readings.detail} (topic ${preview(topic)})`);
      return undefined;
    }
    return this.gateway.offer(readings, "mqtt");
  }

  /** Matches `topic` against the routes and memoises its decoder; undefined (and not memoised) when no route fits. */
  private decoderFor(topic: string): PayloadDecoder | undefined {
    const found = findRoute(this.routes, topic);
    if (found === undefined) return undefined;
    const decode = found.route.bind(found.placeholders);
    this.decoders.set(topic, decode);
    return decode;
  }

  private onConnect(sessionPresent: boolean): void {
    // Nagle would hold each small PUBACK until the broker's delayed TCP ACK (~40 ms), and the
    // broker sends no more QoS 1 messages while its in-flight window waits for those PUBACKs.
    const socket = this.client.stream as { setNoDelay?: (noDelay: boolean) => unknown };
    socket.setNoDelay?.(true);
    this.update({ connects: this.current.connects + 1, sessionResumed: sessionPresent, lastError: null });
    if (this.staleFilters.size > 0) {
      const stale = [...this.staleFilters].filter((f) => !this.routes.some((r) => subscriptionFilter(r.filter, this.settings.sharedGroup) === f));
      this.staleFilters.clear();
      if (stale.length > 0) this.client.unsubscribe(stale, (err) => err && this.log.warn({ err: err.message, filters: stale }, "mqtt unsubscribe of unmapped filters failed"));
    }
    if (this.routes.length === 0) {
      this.setState("connected");
      return;
    }
    const epoch = this.epoch;
    const filters = this.filtersOf(this.routes);
    this.client.subscribe(filters, (err, granted) => {
      if (epoch !== this.epoch) return; // that connection is gone; the next connect subscribes again
      if (err) {
        this.onError(err);
        return;
      }
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (refused.length > 0) this.onError(new Error(`the broker refused the subscriptions ${refused.join(", ")}`));
      this.update({ subscribes: this.current.subscribes + 1 });
      this.setState("connected");
      this.log.info({ url: this.settings.url, filters: Object.keys(filters), sessionResumed: sessionPresent }, "mqtt connected and subscribed");
    });
  }

  private onClose(): void {
    this.epoch++;
    if (this.stopping !== undefined || this.pausing !== undefined) return;
    if (this.current.state === "connected") this.log.warn({ url: this.settings.url }, "mqtt connection lost; reconnecting");
    this.setState("disconnected");
  }

  private onError(err: Error): void {
    this.update({ lastError: err.message });
    // Refused connections repeat every reconnect period while the broker is away: keep them out of the warn log.
    this.log[this.current.state === "connected" ? "warn" : "debug"]({ err: err.message, url: this.settings.url }, "mqtt error");
  }

  private setState(state: MqttConnectionState): void {
    if (state === this.current.state) return;
    this.gauge?.set(this.settings.clientId, state);
    this.update({ state, since: Date.now() });
  }

  private update(change: Partial<MqttStatus>): void {
    this.current = { ...this.current, messages: this.messageCount, ...change };
    this.notify();
  }

  private notify(): void {
    const status = this.status();
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (err) {
        this.log.error({ err }, "mqtt status listener threw");
      }
    }
  }
}

/**
 * With a share group the broker hands each matching message to one member of
 * the group (MQTT 5 shared subscriptions; Mosquitto also honours them on
 * 3.1.1), so cluster nodes split the topics instead of each ingesting all.
 * Messages still arrive on their own topic, so routing is unchanged.
 */
export function subscriptionFilter(filter: string, sharedGroup: string): string {
  return sharedGroup === "" ? filter : `$share/${sharedGroup}/${filter}`;
}

function clientOptions(s: MqttSettings): IClientOptions {
  return {
    clientId: s.clientId,
    // A persistent session: the broker keeps our subscriptions and QoS 1 messages while we are away.
    clean: false,
    protocolVersion: s.protocolVersion as 4 | 5,
    ...(s.protocolVersion === 5 ? { properties: { sessionExpiryInterval: s.sessionExpirySec } } : {}),
    ...(s.username !== "" ? { username: s.username } : {}),
    ...(s.password !== "" ? { password: s.password } : {}),
    keepalive: s.keepaliveSec,
    reconnectPeriod: s.reconnectPeriodMs,
    connectTimeout: s.connectTimeoutMs,
    resubscribe: false, // onConnect subscribes on every connection
    queueQoSZero: false, // no unbounded offline queue; publish() refuses QoS 0 while away
    // mqtt.js calls its logger (the `debug` package's, disabled or not) several times for every packet.
    log: noop,
  };
}

function timeout(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function noop(): void {}
