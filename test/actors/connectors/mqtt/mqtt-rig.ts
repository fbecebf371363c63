/**
 * MQTT helpers for the connector specs: connector settings from the real
 * defaults and config schema, a device that publishes to the broker, and
 * the per-file rig the connector specs share (one Mosquitto for the file,
 * rigs, connectors and devices stopped after each spec).
 */
import { randomUUID } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll } from "vitest";
import { z } from "zod";
import { defaults, topicMappingSchema } from "../../../../src/config/index.js";
import { MqttConnector, type MqttSettings } from "../../../../src/actors/connectors/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { startRig, type Rig } from "../rig.js";

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

export interface MqttSpecRig {
  /** The file's Mosquitto, started before its first spec. */
  readonly broker: ServerHandle;
  /** An actor system with recording sensors, stopped after the spec. */
  readonly rig: (options?: Parameters<typeof startRig>[0]) => Promise<Rig>;
  /** A connector feeding `r`'s gateway, stopped after the spec (before its rig). */
  readonly connector: (settings: MqttSettings, r: Rig, registry?: Registry) => MqttConnector;
  /** A device on the file's broker, disconnected after the spec. */
  readonly device: (options?: IClientOptions) => Promise<MqttClient>;
}

/**
 * Registers the file's hooks (call at the top level of a spec file): one
 * broker for the file, and after each spec everything it made is stopped in
 * the reverse order it was made.
 */
export function mqttSpecRig(): MqttSpecRig {
  let broker: ServerHandle | undefined;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(stopAllServers);
  const spec: MqttSpecRig = {
    get broker(): ServerHandle {
      if (broker === undefined) throw new Error("the broker starts in beforeAll: use it inside a spec");
      return broker;
    },
    rig: async (options = {}) => {
      const r = await startRig(options);
      cleanup.push(() => r.stop());
      return r;
    },
    connector: (settings, r, registry) => {
      const c = new MqttConnector({ settings, gateway: r.gateway, log: silentLog, ...(registry ? { registry } : {}) });
      cleanup.push(() => c.stop());
      return c;
    },
    device: async (options = {}) => {
      const d = await connectDevice(spec.broker.url, options);
      cleanup.push(() => d.endAsync(true));
      return d;
    },
  };
  return spec;
}
