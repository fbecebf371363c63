/**
 * Starting and stopping one Vigil node: the composition root that wires the
 * actor system, transport, history (store + writer, see history.ts), ingest
 * (gateway and connectors), alarms and their notifications, the simulator
 * and metrics from a validated config. Parts are added here and nowhere
 * else; they stop in the reverse order, sources first, so whatever a
 * connector holds is accepted before the actors stop.
 */
import { fileURLToPath } from "node:url";
import type { Registry } from "prom-client";
import type { VigilConfig } from "../config/index.js";
import { OpcUaConnections, readingLimits, startIngestConnectors, type IngestConnectors } from "../actors/connectors/index.js";
import { IngestGateway } from "../actors/ingest/index.js";
import { kindsConfigOf, type KindsAlarmConfig, type KindsModelsConfig } from "../actors/kinds.js";
import type { ModelFeed } from "../actors/models/index.js";
import type { AlarmService } from "../actors/alarm/index.js";
import { createNotificationDispatcher, type NotificationDispatcher } from "../notify/index.js";
import { alarmKindsConfig, loadAlarmRules, startNodeAlarms } from "./alarms.js";
import { IngestCounters } from "../actors/readings/index.js";
import { startSimulator, type OpcUaValueSink, type SimulatorRunner } from "../actors/simulator/index.js";
import { startPlantOpcUaServer } from "../actors/simulator/opcua-start.js";
import { createActorSystem, type ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import { registerActorSystemMetrics } from "../runtime/runtime-metrics.js";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { VigilError } from "../runtime/index.js";
import { connectNatsTransport, createInProcessTransport, wrapNatsConnection, type Transport } from "../runtime/transport/index.js";
import { clusterOptionsOf, startNodeCluster, type NodeCluster } from "./cluster.js";
import { startLeasedOpcUa } from "./opcua-leases.js";
import type { OpcUaControl } from "../http/routes/index.js";
import { jetstream } from "@nats-io/jetstream";
import { ActorRouter } from "./actor-router.js";
import { feedFromCluster } from "./cluster-feed.js";
import { FeedState, PublicationFeed, type SnapshotProvider } from "../http/feeds/index.js";
import { StreamLatestReadings } from "./cluster-latest.js";
import { jetstreamManager } from "@nats-io/jetstream";
import { serveNodeControl } from "./control.js";
import { openModelRegistry, type ModelRegistry } from "../ml/index.js";
import type { ModelService } from "./model-service.js";
import { startNodeModels } from "./models.js";
import { startNodeHistory, type NodeHistory } from "./history.js";
import { modelKindsConfig, startModelScoring } from "./models-scoring.js";
import { createNodeOutlet } from "./outlet.js";
import { watchPipeline } from "./pipeline-log.js";
import { startHttp, type HttpParts, type RunningHttp } from "../http/start.js";
import { FileDeviceStore } from "../http/devices/store.js";
import {
  alarmRoutes,
  deviceRoutes,
  forecastRoutes,
  ingestBodyTooLarge,
  ingestRoutes,
  LivePlant,
  type LatestReadings,
  modelRoutes,
  mqttRoutes,
  opcuaRoutes,
  predictRoutes,
  ruleRoutes,
  simulatorRoutes,
  unitRoutes,
} from "../http/routes/index.js";
import { PredictionService } from "./predictions.js";
import { modelsProbe } from "../http/probes.js";
import { packageInfo } from "../cli/package-info.js";

export interface NodeDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Where the one-time admin key goes (default: stderr); see src/http/start.ts. */
  readonly http?: Pick<HttpParts, "announceKey">;
}

export interface NodeFeed {
  readonly source: PublicationFeed;
  readonly state: FeedState;
}

export interface RunningNode {
  readonly system: ActorSystem;
  readonly transport: Transport;
  readonly gateway: IngestGateway;
  readonly connectors: IngestConnectors;
  /** Present when the simulator is enabled. */
  readonly simulator: SimulatorRunner | undefined;
  /** The alarm API (acknowledge, shelve, list, rules …), also served on vigil.alarms.api.<op>. */
  readonly alarms: AlarmService;
  /** Where alarm notifications go (pending and dead letters for the API). */
  readonly notifications: NotificationDispatcher;
  /** Model versions, promotion, rollback, training on demand and the trainers' status (for the HTTP API). */
  readonly models: ModelService;
  /** The history store and its writer; absent when `history.enabled` is false. */
  readonly history: Pick<NodeHistory, "store" | "writer"> | undefined;
  /** The model registry the node opened (trainers, the API and scoring share it). */
  readonly modelRegistry: ModelRegistry;
  /** Scoring with the registry's Production versions on the workers; absent when `models.enabled` is false. */
  readonly scoring: ModelFeed | undefined;
  /** What the WebSocket feeds serve: every publication of the node's actors as feed events, and the live state they keep. */
  readonly feed: NodeFeed;
  /** Present when `opcua.enabled`: the configured endpoints connected at start (in a cluster, by the one node holding each one's lease), more added at run time. */
  readonly opcua: OpcUaControl | undefined;
  /** The HTTP server (control API, feeds); absent when `http.enabled` is false. */
  readonly http: RunningHttp | undefined;
  /** Stops gracefully; resolves once everything has shut down. */
  stop(): Promise<void>;
}

/** The module that defines the node's actor kinds, in the form this file runs as (TS source or built JS). */
const ACTOR_KINDS_MODULE = fileURLToPath(new URL(`../actors/kinds${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url));

export async function startNode(config: VigilConfig, deps: NodeDeps): Promise<RunningNode> {
  const { logger, registry } = deps;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error({ err }, "a part of the node failed to stop cleanly");
      }
    }
  };
  try {
    const { transport, nc } = await openTransport(config);
    stops.push(() => transport.close());
    // Before the actors and stopped after them: the writer takes what they publish until the last of it, then flushes.
    const history = config.history.enabled ? await startNodeHistory(config, { logger, registry }) : undefined;
    if (history !== undefined) stops.push(() => history.stop());
    // Before the actors and closed after them: transitions published while the actors stop still get queued.
    const notifications = await createNotificationDispatcher(config.notify, { log: logger, registry });
    stops.push(() => notifications.close());
    const alarmRules = await loadAlarmRules(config.alarms);
    // Bound once the alarm service exists; nothing publishes a transition before (rules reach the actors through it).
    const alarmTap: { to?: (subject: string, json: string) => void } = {};
    // Bound once the registry is open; only forecasts use it, and none is made before a model reaches the workers.
    const modelTap: { to?: (subject: string, json: string) => void } = {};
    // Fed like history, by the tap: a transport subscription could drop, and over NATS would bring other nodes' events.
    const feedSource = new PublicationFeed();
    const feed: NodeFeed = { source: feedSource, state: new FeedState(feedSource) };
    // Bound once the cluster member runs: processed readings of its partitions go into the output stream.
    const clusterTap: { takes?: NodeCluster["takes"] } = {};
    const system = await startActorSystem(config, transport, logger, {
      alarms: alarmKindsConfig(config.alarms, alarmRules.current()),
      models: modelKindsConfig(config.models),
      tap: (subject, json) => {
        history?.tap(subject, json);
        alarmTap.to?.(subject, json);
        modelTap.to?.(subject, json);
        // In a cluster the feeds take this node's processed readings as they go into the output stream, and the rest
        // from the cluster's streams (cluster-feed.ts), this node's publications included.
        if (!config.cluster.enabled) feedSource.publication(subject, json);
      },
      cluster: clusterTap,
    });
    stops.push(() => system.stop());
    // Bound once the cluster member runs: asks for an actor go to the node owning its unit's partition.
    const routed: { router?: ActorRouter } = {};
    const asks: Pick<ActorSystem, "ask"> = { ask: (address, message, options) => (routed.router === undefined ? system.ask(address, message, options) : routed.router.ask(address, message)) };
    const alarms = await startNodeAlarms({
      config,
      nodeId: config.node.id,
      system,
      transport,
      rules: alarmRules,
      dispatcher: notifications,
      ...(history === undefined ? {} : { history: history.alarms }),
      logger,
      registry,
      ...(config.cluster.enabled ? { cluster: { asks, alarmedUnits: () => alarmedUnits(feed.state) } } : {}),
    });
    alarmTap.to = alarms.tap;
    stops.push(() => Promise.resolve(alarms.stop()));
    registerActorSystemMetrics(system, registry);
    const modelRegistry = await openModelRegistry(config, { logger });
    stops.push(() => modelRegistry.close());
    // Every registry change (register, stage moves, rollback) goes to the feeds as a model_update.
    const modelWatch = modelRegistry.registry.watch((change) => feedSource.modelUpdate(change));
    stops.push(() => Promise.resolve(modelWatch.stop()));
    const models = await startNodeModels({ config, system, registry: modelRegistry.registry, history, alarms: alarms.service, logger, metrics: registry });
    stops.push(() => models.stop());
    // After the baselines are seeded: the workers get them before the first reading.
    const scoring = await startModelScoring(config, { system, modelRegistry: modelRegistry.registry, logger, registry });
    modelTap.to = (subject, json) => scoring.tap(subject, json);
    // Stopped before the actors: readings waiting for a model's answer are published while the actors still run.
    stops.push(() => scoring.stop());
    // The API's predictions, on this thread's own sessions: released after the HTTP server stops taking requests.
    const predictions = new PredictionService(modelRegistry.registry, config.models);
    stops.push(() => predictions.close());
    system.onEvent((event) => {
      if (event.type === "worker-crashed") {
        feedSource.systemAlert({ level: "error", code: "worker-crashed", message: `shard worker ${event.worker} crashed (${event.lostMessages} messages lost): ${event.error.message}`, at: Date.now() });
      } else if (event.type === "worker-restarted") {
        feedSource.systemAlert({ level: "warn", code: "worker-restarted", message: `shard worker ${event.worker} replaced, ${event.restoredActors} actors restored`, at: Date.now() });
      }
    });

    const counters = new IngestCounters(registry);
    const gatewayOptions = {
      system,
      counters,
      log: logger.child({ part: "ingest" }),
      limits: readingLimits(config.ingest),
      ...(history === undefined ? {} : { onRejected: history.rejected }),
    };
    let gateway = new IngestGateway(gatewayOptions);
    // In a cluster: what the feeds' snapshots are taken from (the live state, gathering other nodes' readings on demand) and where the API reads the latest readings.
    let feedSnapshot: SnapshotProvider = feed.state;
    let latestReadings: LatestReadings | undefined;
    if (nc !== undefined) {
      // Bound once the cluster feed exists: the processed readings of this node's partitions, as they go into the output stream.
      const ownOutputs: { to?: (subject: string, json: string) => void } = {};
      const cluster = await startNodeCluster(config, { nc, system, gateway, logger, onOutput: (subject, json) => ownOutputs.to?.(subject, json) });
      clusterTap.takes = (subject, json) => cluster.takes(subject, json);
      // Stopped before the actors: the partitions' last snapshots are taken while they still run.
      stops.push(() => cluster.stop());
      // The member's own ingest goes into the partitioned stream, to whichever node owns each reading's partition.
      gateway = new IngestGateway({ ...gatewayOptions, route: cluster.ingest });
      const router = new ActorRouter({ nodeId: config.node.id, member: cluster.member, system, transport, timeoutMs: config.runtime.askTimeoutMs, log: logger.child({ part: "actor-router" }) });
      routed.router = router;
      stops.push(() => Promise.resolve(router.stop()));
      const clusterFeed = feedFromCluster({ nc, transport, feed: feedSource, logger });
      ownOutputs.to = (subject, json) => clusterFeed.own(subject, json);
      stops.push(() => clusterFeed.stop());
      feedSnapshot = { snapshot: (matches) => feed.state.snapshot(matches), demand: (triples) => clusterFeed.demand(triples) };
      latestReadings = new StreamLatestReadings(await jetstreamManager(nc));
    }
    const pipeline = watchPipeline({ transport, counters, logger: logger.child({ part: "pipeline" }) });
    stops.push(() => Promise.resolve(pipeline.stop()));
    const control = serveNodeControl({ nodeId: config.node.id, transport, system, logger });
    stops.push(() => Promise.resolve(control.stop()));

    // The simulator's OPC UA server first: the node's own OPC UA connector may be pointed at it.
    const opcUaSink = config.simulator.enabled && config.simulator.publishers.includes("opcua") ? await startSimulatorOpcUaServer(config, logger, stops) : undefined;
    const connectors = await startIngestConnectors({ config, gateway, transport, log: logger, registry });
    // The API registers devices; forecasts published over MQTT are bounded by their capacities, with or without the API.
    const devices = config.http.enabled || (config.models.forecast.mqtt && connectors.mqtt !== undefined) ? await FileDeviceStore.open(config.http.devicesFile) : undefined;
    scoring.useMqtt(connectors.mqtt, devices);
    stops.push(() => connectors.stop());
    let opcua: OpcUaControl | undefined;
    if (config.opcua.enabled && config.opcua.endpoints.length > 0 && nc !== undefined) {
      // In a cluster each configured endpoint is connected by the one node holding its lease.
      const leased = await startLeasedOpcUa(config, { js: jetstream(nc), options: clusterOptionsOf(config), gateway, logger });
      opcua = leased;
      stops.push(() => leased.stop());
    } else if (config.opcua.enabled) {
      // Without configured endpoints node-opcua is loaded only when the API adds one.
      const connections = await OpcUaConnections.start({ ...config.opcua, gateway, log: logger.child({ part: "opcua" }) });
      opcua = connections;
      stops.push(() => connections.stop());
    }
    const simulator = config.simulator.enabled ? await startNodeSimulator(config, { gateway, transport, logger, stops, opcUaSink }) : undefined;
    if (simulator !== undefined) models.feedSimulatorLabels(simulator);
    const nodeHistory = history === undefined ? undefined : { store: history.store, writer: history.writer };
    // Last, so it is stopped first: no request reaches a part that is already stopping.
    const http = config.http.enabled && devices !== undefined
      ? await startHttp(config.http, {
          ...deps.http,
          nodeId: config.node.id,
          version: packageInfo().version,
          registry,
          logger,
          transport,
          transportKind: config.transport.kind,
          mqtt: connectors.mqtt,
          opcua,
          history: nodeHistory,
          simulator,
          onBodyTooLarge: ingestBodyTooLarge(gateway, config.http.maxBodyBytes),
          feeds: { source: feed.source, snapshot: feedSnapshot, path: config.feeds.path, limits: config.feeds },
          routes: [
            unitRoutes({ plant: new LivePlant(feed.state, latestReadings), system: asks, history: history?.store }),
            ingestRoutes(gateway),
            alarmRoutes(alarms.service),
            ruleRoutes(alarms.service),
            deviceRoutes(devices),
            forecastRoutes(scoring, devices),
            simulatorRoutes(simulator),
            mqttRoutes(connectors.mqtt),
            opcuaRoutes(opcua),
            modelRoutes(models.service),
            predictRoutes(predictions),
          ],
        })
      : undefined;
    if (http !== undefined) stops.push(() => http.stop());
    http?.health.register("models", modelsProbe(models.service));

    logger.info(
      {
        workers: system.workers,
        transport: config.transport.kind,
        mqtt: config.mqtt.enabled ? config.mqtt.url : false,
        http: http?.url ?? false,
        opcuaEndpoints: config.opcua.enabled ? config.opcua.endpoints.length : 0,
        simulator: config.simulator.enabled ? `${config.simulator.units} units → ${config.simulator.publishers.join(", ")}` : false,
        alarmRules: alarmRules.current().rules.length,
        history: history?.store.kind ?? false,
      },
      "node started",
    );
    return {
      system,
      transport,
      gateway,
      connectors,
      simulator,
      alarms: alarms.service,
      models: models.service,
      notifications,
      history: history === undefined ? undefined : { store: history.store, writer: history.writer },
      modelRegistry: modelRegistry.registry,
      scoring: scoring.feed,
      feed,
      opcua,
      http,
      async stop() {
        await stopAll();
        logger.info("node stopped");
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function openTransport(config: VigilConfig): Promise<{ transport: Transport; nc?: NatsConnection }> {
  if (config.cluster.enabled) {
    if (config.transport.kind !== "nats") {
      throw new VigilError("VIGIL_CONFIG_INVALID", `cluster.enabled: a cluster runs over NATS; set transport.kind to "nats" (it is "${config.transport.kind}")`);
    }
    // One connection for the transport and the cluster: cut off from NATS, both stop together.
    // noAsyncTraces: every JetStream publish is a request, and with traces each one builds two Errors (stack captures) up
    // front — an eighth of a cluster node's CPU at load; a failed request's stack then starts in the client.
    const nc = await connect({
      servers: config.transport.nats.servers,
      name: `${config.transport.nats.name}-${config.node.id}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      noAsyncTraces: true,
    });
    return { transport: wrapNatsConnection(nc), nc };
  }
  return {
    transport:
      config.transport.kind === "nats"
        ? await connectNatsTransport({ servers: config.transport.nats.servers, name: `${config.transport.nats.name}-${config.node.id}` })
        : createInProcessTransport(),
  };
}

async function startActorSystem(
  config: VigilConfig,
  transport: Transport,
  logger: Logger,
  parts: { alarms: KindsAlarmConfig; models: KindsModelsConfig | undefined; tap: (subject: string, json: string) => void; cluster: { takes?: NodeCluster["takes"] } },
): Promise<ActorSystem> {
  const rt = config.runtime;
  // A cluster's output stream takes processed readings one by one (each with its own message id).
  const outlet = createNodeOutlet(transport, config.cluster.enabled ? "each" : config.transport.processed);
  const system = await createActorSystem({
    workers: rt.workers,
    kindModules: [ACTOR_KINDS_MODULE],
    kindConfig: kindsConfigOf(config.pipeline, parts.alarms, parts.models),
    // What actors publish (processed readings, anomalies, unit states, alarm transitions) goes out on the transport;
    // the tap sees it first, on this thread: history (node/history.ts) and the alarm service (node/alarms.ts) take
    // their rows by this direct call, not through a transport subscription that could drop.
    outlet: (subject, json) => {
      parts.tap(subject, json);
      if (parts.cluster.takes?.(subject, json) !== true) outlet.publish(subject, json);
    },
    log: logger.child({ part: "runtime" }),
    askTimeoutMs: rt.askTimeoutMs,
    snapshotIntervalMs: rt.snapshotIntervalMs,
    defaults: {
      mailbox: { capacity: rt.mailboxCapacity, overflow: rt.overflow },
      passivation: { idleMs: rt.idleTimeoutMs },
      supervision: {
        strategy: "restart",
        maxRestarts: rt.supervision.maxRestarts,
        withinMs: rt.supervision.withinMs,
        backoff: { ...rt.supervision.backoff, factor: 2 },
        onExhausted: "stop",
      },
    },
  });
  system.onEvent((event) => {
    if (event.type === "worker-crashed") logger.error({ event }, "shard worker crashed");
    else if (event.type === "worker-restarted") logger.warn({ event }, "shard worker replaced");
  });
  return system;
}

async function startSimulatorOpcUaServer(config: VigilConfig, logger: Logger, stops: (() => Promise<void>)[]): Promise<OpcUaValueSink> {
  const server = await startPlantOpcUaServer({ ...config.opcua.server, log: logger.child({ part: "simulator-opcua" }) });
  stops.push(() => server.stop());
  return server;
}

async function startNodeSimulator(
  config: VigilConfig,
  parts: { gateway: IngestGateway; transport: Transport; logger: Logger; stops: (() => Promise<void>)[]; opcUaSink: OpcUaValueSink | undefined },
): Promise<SimulatorRunner> {
  const runner = await startSimulator(config.simulator, {
    log: parts.logger.child({ part: "simulator" }),
    gateway: parts.gateway,
    transport: parts.transport,
    ...(parts.opcUaSink === undefined ? {} : { opcUaSink: parts.opcUaSink }),
  });
  parts.stops.push(() => runner.close());
  return runner;
}

/** Units with an active alarm as the feeds' live state shows them: in a cluster, every node's. */
function alarmedUnits(state: FeedState): string[] {
  return [...new Set(state.snapshot((e) => e.kind === "alarm").map((e) => e.unit ?? ""))].filter((u) => u !== "");
}
