/**
 * The MQTT publisher against a real Mosquitto, checked with an mqtt.js
 * subscriber: topic `scada/{unit}/{sensor}`, JSON `{value, quality,
 * timestamp}`, solar devices' multi-field messages on `solar/{device}/data`,
 * QoS 0 and 1, and no unbounded queueing while the broker is away.
 */
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectMqttPublisher, MqttPublisher, Plant, ReadingGenerator, SolarFarm, type SimulatedReading } from "../../../../src/actors/simulator/index.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { T0 } from "../helpers.js";

let broker: ServerHandle;
const clients: { endAsync(): Promise<void> }[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync()));
});

afterAll(stopAllServers);

interface Received {
  readonly topic: string;
  readonly payload: string;
}

/** A subscriber on `filter`; `waitFor(n)` resolves once n messages have arrived. */
async function subscribe(filter: string) {
  const client = await connectAsync(broker.url, { clientId: `sub-${Math.random().toString(16).slice(2)}` });
  clients.push(client);
  const received: Received[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  client.on("message", (topic, payload) => {
    received.push({ topic, payload: payload.toString() });
    if (waiter !== undefined && received.length >= waiter.n) waiter.resolve();
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    received,
    waitFor: (n: number) => (received.length >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { n, resolve }))),
  };
}

function readings(n: number): SimulatedReading[] {
  return new ReadingGenerator(new Plant(), { startAt: T0 }).nextBatch(n);
}

function once(client: MqttClient, event: "close" | "connect"): Promise<void> {
  return new Promise((resolve) => client.once(event, () => resolve()));
}

describe("MqttPublisher", () => {
  it("publishes each reading to scada/{unit}/{sensor} as JSON {value, quality, timestamp}", async () => {
    const sub = await subscribe("scada/#");
    const publisher = await connectMqttPublisher({ url: broker.url });
    clients.push({ endAsync: () => publisher.close() });
    const batch = readings(25);
    await publisher.publish(batch);
    await sub.waitFor(25);
    expect(sub.received).toEqual(
      batch.map((r) => ({
        topic: `scada/${r.unit}/${r.sensor}`,
        payload: JSON.stringify({ value: r.value, quality: r.quality, timestamp: new Date(r.timestamp).toISOString() }),
      })),
    );
  });

  it("publishes each solar device's readings of one instant as one message on solar/{device}/data: {ghi, temperature, power, timestamp}", async () => {
    const sub = await subscribe("solar/#");
    const publisher = await connectMqttPublisher({ url: broker.url, qos: 1 });
    clients.push({ endAsync: () => publisher.close() });
    const farm = new SolarFarm({ devices: 2 });
    const batch = new ReadingGenerator(farm, { startAt: T0 + 19 * 3_600_000, readingsPerSecond: 6 }).nextBatch(12);
    await publisher.publishDevices(batch);
    await sub.waitFor(4);
    const value = (unit: string, sensor: string, ts: number) => batch.find((r) => r.unit === unit && r.sensor === sensor && r.timestamp === ts)!.value;
    expect(sub.received.map((m) => ({ topic: m.topic, payload: JSON.parse(m.payload) as unknown }))).toEqual(
      [0, 1].flatMap((tick) =>
        ["SOLAR001", "SOLAR002"].map((unit) => {
          const ts = T0 + 19 * 3_600_000 + tick * 1000;
          return {
            topic: `solar/${unit}/data`,
            payload: { ghi: value(unit, "ghi", ts), temperature: value(unit, "module_temperature", ts), power: value(unit, "ac_power", ts), timestamp: new Date(ts).toISOString() },
          };
        }),
      ),
    );
  });

  it("uses the configured topic prefix and epoch-millisecond timestamps when asked", async () => {
    const sub = await subscribe("plant/east/#");
    const publisher = await connectMqttPublisher({ url: broker.url, topicPrefix: "plant/east", timestamps: "epoch-ms" });
    clients.push({ endAsync: () => publisher.close() });
    const [r] = readings(1);
    await publisher.publish([r!]);
    await sub.waitFor(1);
    expect(sub.received[0]!.topic).toBe("plant/east/UNIT001/temperature");
    expect(JSON.parse(sub.received[0]!.payload)).toEqual({ value: r!.value, quality: "GOOD", timestamp: T0 });
  });

  it("at QoS 1 hands a batch back only once the broker has acknowledged every message", async () => {
    const sub = await subscribe("scada/#");
    const client = await connectAsync(broker.url, { clientId: "sim-qos1" });
    clients.push(client);
    let acks = 0;
    client.on("packetreceive", (packet) => void (packet.cmd === "puback" && acks++));
    const publisher = new MqttPublisher(client, { qos: 1 });
    await publisher.publish(readings(500));
    expect(acks).toBe(500);
    await sub.waitFor(500);
    expect(sub.received).toHaveLength(500);
  });

  it("refuses, drops and counts a batch while the broker is unreachable instead of queueing it, and publishes again once it is back", async () => {
    const client = await connectAsync(broker.url, { clientId: "sim-offline", reconnectPeriod: 100 });
    clients.push(client);
    const publisher = new MqttPublisher(client);
    const closed = once(client, "close");
    await broker.stop();
    await closed;
    expect(() => publisher.publish(readings(50))).toThrow(expect.objectContaining({ code: "VIGIL_SIMULATOR_PUBLISHER_UNAVAILABLE" }));
    expect(publisher.dropped).toBe(50);
    const reconnected = once(client, "connect");
    await broker.start();
    await reconnected;
    const sub = await subscribe("scada/#");
    await publisher.publish(readings(25));
    await sub.waitFor(25);
    expect(sub.received).toHaveLength(25);
    expect(publisher.dropped).toBe(50);
  });
});
