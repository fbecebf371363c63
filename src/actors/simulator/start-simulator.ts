/**
 * Building and starting a simulator from the `simulator` config section:
 * the plant (or run-to-failure fleet), its publishers, and a running
 * SimulatorRunner. The composition root (src/node/start.ts) and
 * `vigil simulate` call this; the runner's `close()` undoes it.
 *
 * Whatever needs the node (the ingest gateway, the transport, the OPC UA
 * server) is passed in; MQTT connections are opened here.
 */
import type { Logger } from "pino";
import { VigilError, type Clock } from "../../runtime/index.js";
import type { Transport } from "../../runtime/transport/index.js";
import type { SimulatedPlant, SimulatorMode } from "./model.js";
import { Plant } from "./plant.js";
import { GatewayPublisher, type IngestSink } from "./publishers/gateway.js";
import { connectMqttPublisher, type MqttQos } from "./publishers/mqtt.js";
import { NatsPublisher, type NatsPublishMode } from "./publishers/nats.js";
import type { ReadingPublisher } from "./publishers/publisher.js";
import { ValueSinkPublisher, type OpcUaValueSink } from "./publishers/value-sink.js";
import { RunToFailureFleet } from "./run-to-failure.js";
import { SimulatorRunner } from "./runner.js";
import { SolarFarm } from "./solar-farm.js";

export const SIMULATOR_PUBLISHERS = ["gateway", "mqtt", "nats", "opcua"] as const;
export type SimulatorPublisherKind = (typeof SIMULATOR_PUBLISHERS)[number];

/** Structurally the `simulator` section of VigilConfig (the simulator does not import config). */
export interface SimulatorSettings {
  readonly mode: SimulatorMode;
  readonly units: number;
  readonly seed: number;
  /** Every sensor of every unit reads once per interval. */
  readonly intervalMs: number;
  /** Plant mode: inject a random scenario this often; 0 for never. */
  readonly scenarioEveryMs: number;
  readonly publishers: readonly SimulatorPublisherKind[];
  readonly mqtt: { readonly url: string; readonly topicPrefix: string; readonly qos: number };
  readonly nats: { readonly mode: NatsPublishMode; readonly batchSize: number };
  /** Solar devices alongside the plant; 0 devices: none. */
  readonly solar: { readonly devices: number; readonly capacityKw: number; readonly latitude: number; readonly longitude: number };
}

export interface SimulatorDeps {
  readonly log: Logger;
  /** Needed by the "gateway" publisher: the node's IngestGateway. */
  readonly gateway?: IngestSink;
  /** Needed by the "nats" publisher: the node's transport (or a NATS transport of its own). */
  readonly transport?: Transport;
  /** Needed by the "opcua" publisher: the simulator's OPC UA server. */
  readonly opcUaSink?: OpcUaValueSink;
  /** @default systemClock */
  readonly clock?: Clock;
}

/** Build the plant and publishers, and start the runner. */
export async function startSimulator(settings: SimulatorSettings, deps: SimulatorDeps): Promise<SimulatorRunner> {
  const plant = createPlant(settings);
  const solar = createSolarFarm(settings, plant);
  const publishers: ReadingPublisher[] = [];
  try {
    for (const kind of new Set(settings.publishers)) publishers.push(await createPublisher(kind, settings, deps));
    const runner = new SimulatorRunner({
      plant,
      publishers,
      log: deps.log,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      readingsPerSecond: (plant.unitIds.length * plant.sensorIds.length * 1000) / settings.intervalMs,
      ...(solar === undefined ? {} : { solar }),
      ...(plant.mode === "plant" && settings.scenarioEveryMs > 0 ? { randomScenarios: { everyMs: settings.scenarioEveryMs, seed: settings.seed } } : {}),
    });
    await runner.start();
    return runner;
  } catch (err) {
    await Promise.allSettled(publishers.map(async (p) => p.close?.()));
    throw err;
  }
}

export function createPlant(settings: Pick<SimulatorSettings, "mode" | "units" | "seed">): SimulatedPlant {
  return settings.mode === "plant"
    ? new Plant({ units: settings.units, seed: settings.seed })
    : new RunToFailureFleet({ units: settings.units, seed: settings.seed });
}

/** The solar devices, recording their truth with the plant's; undefined for none. */
export function createSolarFarm(settings: Pick<SimulatorSettings, "solar" | "seed">, plant: SimulatedPlant): SolarFarm | undefined {
  const s = settings.solar;
  if (s.devices === 0) return undefined;
  return new SolarFarm({ devices: s.devices, seed: settings.seed, capacityKw: s.capacityKw, latitudeDeg: s.latitude, longitudeDeg: s.longitude, truth: plant.truth });
}

async function createPublisher(kind: SimulatorPublisherKind, settings: SimulatorSettings, deps: SimulatorDeps): Promise<ReadingPublisher> {
  switch (kind) {
    case "gateway":
      return new GatewayPublisher(need(deps.gateway, "gateway", "the node's ingest gateway"));
    case "mqtt":
      return connectMqttPublisher({ url: settings.mqtt.url, topicPrefix: settings.mqtt.topicPrefix, qos: toQos(settings.mqtt.qos) });
    case "nats":
      return new NatsPublisher(need(deps.transport, "nats", "a transport"), { mode: settings.nats.mode, batchSize: settings.nats.batchSize });
    case "opcua":
      return new ValueSinkPublisher(need(deps.opcUaSink, "opcua", "an OPC UA server"));
  }
}

function need<T>(dep: T | undefined, publisher: SimulatorPublisherKind, what: string): T {
  if (dep === undefined) throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", `simulator publisher "${publisher}" needs ${what}, and none was given`);
  return dep;
}

function toQos(qos: number): MqttQos {
  if (qos === 0 || qos === 1 || qos === 2) return qos;
  throw new VigilError("VIGIL_SIMULATOR_MISCONFIGURED", `simulator.mqtt.qos: expected 0, 1 or 2, got ${qos}`);
}
