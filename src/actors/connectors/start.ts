/**
 * Starting the ingest connectors a config asks for, and stopping them
 * before the actor system stops (so what they hold in hand is either
 * accepted or left with its sender for redelivery).
 */
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { VigilConfig } from "../../config/index.js";
import type { Transport } from "../../runtime/transport/index.js";
import type { IngestGateway } from "../ingest/index.js";
import { MqttConnector, type MqttSettings } from "./mqtt/index.js";
import { startNatsIngest, type NatsIngest } from "./nats/index.js";

export interface IngestConnectorsOptions {
  readonly config: Pick<VigilConfig, "mqtt" | "ingest" | "cluster">;
  readonly gateway: IngestGateway;
  /** The node's transport: NATS ingest subscribes on it. */
  readonly transport: Transport;
  readonly log: Logger;
  readonly registry?: Registry;
}

export interface IngestConnectors {
  /** Present when `mqtt.enabled`. Connects in the background: see `mqtt.status()`. */
  readonly mqtt?: MqttConnector;
  /** Present when `ingest.nats.enabled`. */
  readonly nats?: NatsIngest;
  /** Stops them all; idempotent. */
  stop(): Promise<void>;
}

/**
 * A cluster member shares the MQTT topics with the other members (as NATS
 * ingest shares its subjects through a queue group); a lone node subscribes
 * plainly, whatever `mqtt.sharedGroup` says.
 */
export function mqttSettingsFor(config: { readonly mqtt: MqttSettings; readonly cluster: Pick<VigilConfig["cluster"], "enabled"> }): MqttSettings {
  return config.cluster.enabled ? config.mqtt : { ...config.mqtt, sharedGroup: "" };
}

/** Starts the enabled connectors; if one fails to start, stops the others and rethrows. */
export async function startIngestConnectors(options: IngestConnectorsOptions): Promise<IngestConnectors> {
  const { config, gateway, transport, log, registry } = options;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const pending = stops.splice(0).reverse();
    await Promise.allSettled(pending.map((stop) => stop()));
  };
  try {
    let mqtt: MqttConnector | undefined;
    if (config.mqtt.enabled) {
      mqtt = new MqttConnector({ settings: mqttSettingsFor(config), gateway, log: log.child({ part: "mqtt" }), ...(registry !== undefined ? { registry } : {}) });
      const connector = mqtt;
      stops.push(() => connector.stop());
    }
    let nats: NatsIngest | undefined;
    if (config.ingest.nats.enabled) {
      // In a cluster the ingest stream itself takes single readings (vigil.ingest.reading.<unit>.<sensor>): a core
      // subscription would apply them twice. Gateways' batches are still taken here, and go on into the stream.
      nats = await startNatsIngest({ transport, gateway, log: log.child({ part: "nats-ingest" }), queue: config.ingest.nats.queue, readings: !config.cluster.enabled });
      const ingest = nats;
      stops.push(() => ingest.stop());
    }
    // The OPC UA connector (./opcua) is started by its own entry point; see index.ts.
    return { ...(mqtt && { mqtt }), ...(nats && { nats }), stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
