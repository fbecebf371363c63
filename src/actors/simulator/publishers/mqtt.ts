/**
 * Publishing simulated readings over MQTT, one message per reading, as a
 * field gateway would: topic `scada/{unit}/{sensor}`, payload
 * `{"value":..,"quality":..,"timestamp":..}` (payload.ts), at QoS 0, 1 or 2.
 * Solar devices send one message per device and instant, as PV monitoring
 * does: topic `solar/{device}/data`, payload `{"ghi":..,"temperature":..,
 * "power":..,"timestamp":..}` (the fields of SOLAR_PAYLOAD_FIELDS).
 *
 * Bounded: mqtt.js would queue messages in memory while disconnected without
 * limit, so while the client is not connected a batch is dropped, counted
 * (`dropped`) and refused with VIGIL_SIMULATOR_PUBLISHER_UNAVAILABLE (the
 * runner shows a failing publisher). Each batch waits until its messages
 * are written (QoS 0) or acknowledged (QoS 1/2) before the runner sends the
 * next.
 */
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { VigilError } from "../../../runtime/index.js";
import type { SimulatedReading } from "../simulated-reading.js";
import { SOLAR_PAYLOAD_FIELDS, SOLAR_TOPIC_PREFIX } from "../solar-sensors.js";
import { encodeDeviceFields, encodeReading, type TimestampFormat } from "./payload.js";
import type { ReadingPublisher } from "./publisher.js";

export type MqttQos = 0 | 1 | 2;

export interface MqttPublisherOptions {
  /** Topics are `{topicPrefix}/{unit}/{sensor}`. @default "scada" */
  readonly topicPrefix?: string;
  /** @default 0 */
  readonly qos?: MqttQos;
  /** @default "iso" */
  readonly timestamps?: TimestampFormat;
  /** Device messages go to `{deviceTopicPrefix}/{device}/data`. @default "solar" */
  readonly deviceTopicPrefix?: string;
}

export class MqttPublisher implements ReadingPublisher {
  readonly name = "mqtt";
  private readonly prefix: string;
  private readonly publishOptions: { qos: MqttQos };
  private readonly timestamps: TimestampFormat;
  private readonly devicePrefix: string;
  private droppedCount = 0;
  private closed = false;

  /** `ownsClient`: `close()` ends the client too (it was opened for this publisher). */
  constructor(
    private readonly client: MqttClient,
    options: MqttPublisherOptions = {},
    private readonly ownsClient = false,
  ) {
    this.prefix = options.topicPrefix ?? "scada";
    this.publishOptions = { qos: options.qos ?? 0 };
    this.timestamps = options.timestamps ?? "iso";
    this.devicePrefix = options.deviceTopicPrefix ?? SOLAR_TOPIC_PREFIX;
  }

  /** Readings dropped because the client was not connected. */
  get dropped(): number {
    return this.droppedCount;
  }

  publish(batch: readonly SimulatedReading[]): Promise<void> | void {
    if (batch.length === 0) return;
    return this.send(batch.length, batch.length, (i) => {
      const r = batch[i]!;
      return [`${this.prefix}/${r.unit}/${r.sensor}`, encodeReading(r, this.timestamps)];
    });
  }

  /** One message per device and instant (its readings are consecutive in the batch). */
  publishDevices(batch: readonly SimulatedReading[]): Promise<void> | void {
    if (batch.length === 0) return;
    const starts: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const prev = batch[i - 1];
      const r = batch[i]!;
      if (prev === undefined || prev.unit !== r.unit || prev.timestamp !== r.timestamp) starts.push(i);
    }
    starts.push(batch.length);
    return this.send(starts.length - 1, batch.length, (m) => {
      const from = starts[m]!;
      return [`${this.devicePrefix}/${batch[from]!.unit}/data`, encodeDeviceFields(batch, from, starts[m + 1]!, SOLAR_PAYLOAD_FIELDS, this.timestamps)];
    });
  }

  /** Publishes `count` messages carrying `readings` readings; resolves once all are written (QoS 0) or acknowledged. */
  private send(count: number, readings: number, message: (i: number) => [topic: string, payload: string]): Promise<void> {
    if (!this.client.connected) {
      this.droppedCount += readings;
      throw new VigilError("VIGIL_SIMULATOR_PUBLISHER_UNAVAILABLE", `MQTT broker not connected: ${readings} readings dropped`);
    }
    return new Promise((resolve, reject) => {
      const client = this.client;
      const qos = this.publishOptions.qos;
      // QoS 0: packets are written in order, so the last one's callback means
      // all were (one callback per packet would add a 'drain' listener each
      // while the socket is full). QoS 1/2: every message has its own ack.
      let pending = qos === 0 ? 1 : count;
      let settled = false;
      // A connection lost mid-batch may never call back (a QoS 0 packet waits
      // for a 'drain' that never comes); fail the batch instead of hanging.
      const onClose = (): void => done(new Error("MQTT connection closed during a batch"));
      // mqtt.js calls back with null or undefined for success, depending on the QoS.
      const done = (err?: Error | null): void => {
        if (settled || (err == null && --pending > 0)) return;
        settled = true;
        client.removeListener("close", onClose);
        if (err == null) resolve();
        else reject(err);
      };
      client.once("close", onClose);
      const last = count - 1;
      for (let i = 0; i <= last; i++) {
        const [topic, payload] = message(i);
        if (qos === 0 && i < last) client.publish(topic, payload, this.publishOptions);
        else client.publish(topic, payload, this.publishOptions, done);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed || !this.ownsClient) return;
    this.closed = true;
    await this.client.endAsync();
  }
}

export interface ConnectMqttPublisherOptions extends MqttPublisherOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  readonly url: string;
  /** @default "vigil-simulator-<random>" */
  readonly clientId?: string;
  /** Extra mqtt.js client options (reconnect period, credentials, TLS). */
  readonly client?: Omit<IClientOptions, "clientId" | "queueQoSZero">;
}

/** Connect a client of its own (resolves once connected) and publish through it. */
export async function connectMqttPublisher(options: ConnectMqttPublisherOptions): Promise<MqttPublisher> {
  const client = await connectAsync(options.url, {
    reconnectPeriod: 1000,
    ...options.client,
    clientId: options.clientId ?? `vigil-simulator-${Math.random().toString(16).slice(2, 10)}`,
    // Never queue QoS 0 messages in memory while offline (see the file comment).
    queueQoSZero: false,
  });
  return new MqttPublisher(client, options, true);
}
