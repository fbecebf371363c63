/**
 * MQTT publish-back: the notification as JSON on a topic made from a
 * template (`vigil/alarms/{unit}/{severity}`), QoS 1 by default, so a
 * SCADA system or a field gateway subscribed to it hears of alarms.
 *
 * The client reconnects on its own; while it is not connected an attempt
 * fails at once (and is retried by the queue) instead of joining MQTT.js's
 * unbounded offline queue. An attempt succeeds when the broker acknowledged
 * it (PUBACK for QoS 1).
 */
import mqtt from "mqtt";
import type { AlarmNotification } from "../notification.js";
import { failed, type Notifier } from "./notifier.js";

export interface MqttNotifierOptions {
  readonly name: string;
  readonly url: string;
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly topic: string;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  readonly timeoutMs: number;
}

const PLACEHOLDER = /\{(unit|sensor|severity|event|rule|category)\}/g;

/** The topic for one notification; values that would break the topic structure are replaced by '_'. */
export function alarmTopic(template: string, n: AlarmNotification): string {
  const values: Record<string, string> = {
    unit: n.alarm.unit,
    sensor: n.alarm.sensor ?? "-",
    severity: n.alarm.severity,
    event: n.event,
    rule: n.alarm.ruleId,
    category: n.alarm.category,
  };
  return template.replace(PLACEHOLDER, (_, key: string) => (values[key] ?? "").replace(/[/#+\s]/g, "_") || "_");
}

export function mqttNotifier(o: MqttNotifierOptions): Notifier {
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: o.timeoutMs,
    queueQoSZero: false,
  });
  // Connection errors show in the attempts' failures; an unhandled 'error' event would crash the process.
  client.on("error", () => undefined);
  return {
    name: o.name,
    async send(n: AlarmNotification) {
      if (!client.connected) throw failed(`${o.name}: not connected to the MQTT broker`);
      try {
        await client.publishAsync(alarmTopic(o.topic, n), JSON.stringify(n), { qos: o.qos, retain: o.retain });
      } catch (err) {
        throw failed(`${o.name}: publish failed`, err);
      }
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}
