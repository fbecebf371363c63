/**
 * MQTT helpers for the connector specs: connector settings from the real
 * defaults and config schema, and a device that publishes to the broker.
 */
import { randomUUID } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { z } from "zod";
import { defaults, topicMappingSchema } from "../../../../src/config/index.js";
import type { MqttSettings } from "../../../../src/actors/connectors/index.js";

/**
 * Connector settings as a config file would give them to a lone node: the
 * defaults, the test broker, a fresh client id, quick reconnects; `topics` go through the
 * config schema, so they get its defaults and checks.
 */
export function mqttSettings(url: string, overrides: Partial<Omit<MqttSettings, "topics">> & { topics?: unknown[] } = {}): MqttSettings {
  const { topics, ...rest } = overrides;
  return {
    ...defaults.mqtt,
    url,
    clientId: `vigil-test-${randomUUID().slice(0, 8)}`,
    reconnectPeriodMs: 50,
    drainTimeoutMs: 2_000,
    // A lone node's: the connectors of one spec file would otherwise split the messages between them.
    sharedGroup: "",
    ...rest,
    topics: z.array(topicMappingSchema).parse(topics ?? defaults.mqtt.topics),
  };
}

/** A device: a plain mqtt.js client with its own id. */
export function connectDevice(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId: `device-${randomUUID().slice(0, 8)}`, reconnectPeriod: 0, ...options });
}
