/**
 * The WebSocket feed (src/http/feeds/protocol.ts): one connection, the key
 * in `?token=` (browsers cannot set headers on a WebSocket), named
 * subscriptions that are sent again after every reconnect, and events handed
 * to one listener per kind. Snapshot events and live events look the same
 * to a listener: a snapshot is the current state, live events change it.
 */
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export class Feed {
  /**
   * `path`: the feeds route (http meta tag); `key()`: the current key;
   * `onLink(state)`: "connecting" | "live" | "reconnecting" | "refused";
   * `onRefused()`: the connection closed before it ever opened (a refused key, or the node is down).
   */
  constructor({ path, key, onLink, onRefused }) {
    this.path = path;
    this.key = key;
    this.onLink = onLink;
    this.onRefused = onRefused;
    this.listeners = new Map();
    this.subscriptions = new Map();
    this.retryMs = RETRY_MIN_MS;
    this.socket = undefined;
    this.stopped = false;
  }

  /** `listener(event)` for every event of `kind` ("sensor_data", "unit_status", "alarm", "model_update", "system_alert"). */
  on(kind, listener) {
    const list = this.listeners.get(kind) ?? [];
    list.push(listener);
    this.listeners.set(kind, list);
  }

  /** Replaces the subscription called `id` (kinds/units/sensors as in the protocol). */
  subscribe(id, selection) {
    const previous = this.subscriptions.get(id);
    this.subscriptions.set(id, selection);
    if (this.isOpen()) {
      if (previous !== undefined) this.send({ type: "unsubscribe", id, ...previous });
      this.send({ type: "subscribe", id, ...selection });
    }
  }

  /** Ends the subscription called `id`. */
  unsubscribe(id) {
    const previous = this.subscriptions.get(id);
    if (previous === undefined) return;
    this.subscriptions.delete(id);
    if (this.isOpen()) this.send({ type: "unsubscribe", id, ...previous });
  }

  connect() {
    this.stopped = false;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${location.host}${this.path}?token=${encodeURIComponent(this.key())}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    let opened = false;
    this.onLink(this.retryMs === RETRY_MIN_MS ? "connecting" : "reconnecting");
    socket.addEventListener("open", () => {
      opened = true;
      this.retryMs = RETRY_MIN_MS;
      this.onLink("live");
      for (const [id, selection] of this.subscriptions) this.send({ type: "subscribe", id, ...selection });
    });
    socket.addEventListener("message", (message) => this.receive(message.data));
    socket.addEventListener("close", () => {
      if (this.socket !== socket || this.stopped) return;
      this.onLink("reconnecting");
      if (!opened) this.onRefused();
      setTimeout(() => {
        if (!this.stopped && this.socket === socket) this.connect();
      }, this.retryMs);
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    });
  }

  /** Closes for good (a new key starts a new connection). */
  close() {
    this.stopped = true;
    this.socket?.close();
    this.socket = undefined;
  }

  isOpen() {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  send(message) {
    this.socket.send(JSON.stringify(message));
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "events" || frame.type === "snapshot") {
      for (const event of frame.events) {
        for (const listener of this.listeners.get(event.kind) ?? []) listener(event);
      }
    } else if (frame.type === "error") {
      console.warn("feed:", frame.code, frame.message);
    }
  }
}
