/**
 * What the MQTT connector reports about its broker connection, for health
 * checks and the log, and the connection-state gauge in Prometheus.
 */
import { Gauge, type Registry } from "prom-client";

export const MQTT_CONNECTION_STATES = ["connecting", "connected", "disconnected", "reconnecting", "paused", "stopped"] as const;
/**
 * - connecting: first connection under way;
 * - connected: CONNACK received and our topic filters subscribed;
 * - disconnected: the connection was lost (or refused); a reconnect follows;
 * - reconnecting: a reconnect attempt is under way;
 * - paused: `disconnect()` was called (an operator's word); `connect()` resumes;
 * - stopped: `stop()` was called.
 */
export type MqttConnectionState = (typeof MQTT_CONNECTION_STATES)[number];

export interface MqttStatus {
  readonly state: MqttConnectionState;
  readonly url: string;
  readonly clientId: string;
  /** Connections established (CONNACKs received). */
  readonly connects: number;
  /** Times the topic filters were subscribed: once per connection. */
  readonly subscribes: number;
  /** Whether the broker still had our session at the last connect (QoS 1 messages kept while we were away). */
  readonly sessionResumed: boolean;
  /** PUBLISH packets received since start. */
  readonly messages: number;
  /** Publish-backs handed to the client and not yet confirmed. */
  readonly pendingPublishes: number;
  readonly lastError: string | null;
  /** The topic patterns subscribed to: the configured ones, then those added at run time. */
  readonly topics: readonly string[];
  /** When the state last changed, epoch milliseconds. */
  readonly since: number;
}

const STATE_GAUGE = "vigil_mqtt_connection_state";

/** One-hot gauge: `vigil_mqtt_connection_state{client, state}` is 1 for the current state, 0 for the others. */
export class MqttStateGauge {
  private readonly gauge: Gauge<"client" | "state">;

  constructor(registry: Registry) {
    // Several connectors (or restarts in one process) share one registry: reuse the metric.
    const existing = registry.getSingleMetric(STATE_GAUGE);
    this.gauge =
      (existing as Gauge<"client" | "state"> | undefined) ??
      new Gauge({
        name: STATE_GAUGE,
        help: "MQTT connector connection state (1 for the current state), by client id",
        labelNames: ["client", "state"],
        registers: [registry],
      });
  }

  set(clientId: string, current: MqttConnectionState): void {
    for (const state of MQTT_CONNECTION_STATES) this.gauge.set({ client: clientId, state }, state === current ? 1 : 0);
  }
}
