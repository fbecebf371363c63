/**
 * MQTT publish-back against a real Mosquitto (test/harness): notifications
 * arrive as JSON on the templated topic at QoS 1; while the broker is down
 * attempts fail and are retried, and after it restarts every notification
 * arrives. The subscriber keeps a persistent session (and the harness's
 * Mosquitto persists it across the restart), so what is published before it
 * reconnects waits for it.
 */
import { randomUUID } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createNotificationDispatcher, type AlarmNotification, type NotificationDispatcher } from "../../src/notify/index.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../harness/servers.js";
import { capturedLog, notification, notifyConfig, tempDir, until } from "./peers.js";

let broker: ServerHandle;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

afterAll(stopAllServers);

interface Heard {
  readonly topic: string;
  readonly qos: number;
  readonly notification: AlarmNotification;
}

async function subscriber(filter: string): Promise<{ heard: Heard[]; client: MqttClient }> {
  const heard: Heard[] = [];
  const client = await mqtt.connectAsync(broker.url, {
    clientId: `scada-${randomUUID().slice(0, 8)}`,
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 200,
  });
  client.on("error", () => undefined);
  client.on("message", (topic, payload, packet) => {
    heard.push({ topic, qos: packet.qos, notification: JSON.parse(payload.toString("utf8")) as AlarmNotification });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  cleanups.push(() => client.endAsync(true));
  return { heard, client };
}

async function rig(topic: string, registry?: Registry): Promise<NotificationDispatcher> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  const config = notifyConfig(dir, {
    notifiers: [{ type: "mqtt", name: "scada-back", url: broker.url, username: "vigil", passwordSecret: "MQTT_PASSWORD", topic }],
    routes: [{ notifiers: ["scada-back"] }],
    retry: { maxAttempts: 100, initialMs: 50, maxMs: 300 },
  });
  const dispatcher = await createNotificationDispatcher(config, { log: capturedLog().log, registry, env: { MQTT_PASSWORD: "anon-broker-ignores-it" } });
  cleanups.push(() => dispatcher.close());
  return dispatcher;
}

describe("MQTT publish-back notifier", () => {
  it("publishes the notification as JSON on the templated topic at QoS 1", async () => {
    const { heard } = await subscriber("vigil/alarms/#");
    const dispatcher = await rig("vigil/alarms/{unit}/{severity}");
    const n = notification({ unit: "UNIT002", severity: "HIGH" });
    dispatcher.dispatch(n);
    await until(() => heard.length === 1, "the notification heard");
    expect(heard[0]).toEqual({ topic: "vigil/alarms/UNIT002/HIGH", qos: 1, notification: n });
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });

  it("fills every placeholder of the topic template", async () => {
    const { heard } = await subscriber("plant/#");
    const dispatcher = await rig("plant/{unit}/{sensor}/{event}/{category}/{rule}");
    dispatcher.dispatch(notification({ unit: "UNIT005", event: "cleared" }));
    await until(() => heard.length === 1, "the notification heard");
    expect(heard[0]?.topic).toBe("plant/UNIT005/temperature/cleared/THERMAL/temperature-critical");
  });

  it("retries while Mosquitto is down and delivers everything after it restarts", async () => {
    const { heard } = await subscriber("vigil/alarms/#");
    const registry = new Registry();
    const dispatcher = await rig("vigil/alarms/{unit}/{severity}", registry);
    const before = notification();
    dispatcher.dispatch(before);
    await until(() => heard.length === 1, "delivered before the outage");

    await broker.stop();
    const during = [notification(), notification({ event: "escalated" }), notification({ event: "cleared" })];
    for (const n of during) dispatcher.dispatch(n);
    const failedAttempts = async () => (await registry.getSingleMetric("vigil_notify_failed_attempts_total")?.get())?.values[0]?.value ?? 0;
    await until(async () => (await failedAttempts()) >= 3, "attempts fail while the broker is down");
    expect(dispatcher.pending()).toBe(3);

    await broker.start();
    await until(() => new Set(heard.map((h) => h.notification.id)).size === 4, "every notification heard after the restart", 30_000);
    expect(new Set(heard.map((h) => h.notification.id))).toEqual(new Set([before, ...during].map((n) => n.id)));
    await until(() => dispatcher.pending() === 0, "nothing pending");
  });
});
