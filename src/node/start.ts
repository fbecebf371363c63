/**
 * Starting and stopping one Vigil node: the composition root that wires the
 * actor system, transport and metrics from a validated config. Later parts
 * (connectors, stores, HTTP) are added here and nowhere else.
 */
import { fileURLToPath } from "node:url";
import type { Registry } from "prom-client";
import type { VigilConfig } from "../config/index.js";
import { createActorSystem, type ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import { registerActorSystemMetrics } from "../runtime/runtime-metrics.js";
import { connectNatsTransport, createInProcessTransport, type Transport } from "../runtime/transport/index.js";
import { serveNodeControl } from "./control.js";

export interface NodeDeps {
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface RunningNode {
  readonly system: ActorSystem;
  readonly transport: Transport;
  /** Stops gracefully; resolves once everything has shut down. */
  stop(): Promise<void>;
}

/** The module that defines the node's actor kinds, in the form this file runs as (TS source or built JS). */
const ACTOR_KINDS_MODULE = fileURLToPath(new URL(`../actors/kinds${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url));

export async function startNode(config: VigilConfig, deps: NodeDeps): Promise<RunningNode> {
  const { logger, registry } = deps;
  const rt = config.runtime;
  const transport = config.transport.kind === "nats"
    ? await connectNatsTransport({ servers: config.transport.nats.servers, name: `${config.transport.nats.name}-${config.node.id}` })
    : createInProcessTransport();
  const encoder = new TextEncoder();
  let system: ActorSystem;
  try {
    system = await createActorSystem({
      // What actors publish (processed readings, alarms, status) goes out on the transport.
      outlet: (subject, json) => transport.publish(subject, encoder.encode(json)),
      workers: rt.workers,
      kindModules: [ACTOR_KINDS_MODULE],
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
  } catch (err) {
    await transport.close();
    throw err;
  }
  registerActorSystemMetrics(system, registry);
  system.onEvent((event) => {
    if (event.type === "worker-crashed") logger.error({ event }, "shard worker crashed");
    else if (event.type === "worker-restarted") logger.warn({ event }, "shard worker replaced");
  });
  const control = serveNodeControl({ nodeId: config.node.id, transport, system, logger });
  logger.info(
    {
      workers: system.workers,
      transport: config.transport.kind,
      ...(config.transport.kind === "nats" ? { natsServers: config.transport.nats.servers } : {}),
    },
    "node started",
  );
  return {
    system,
    transport,
    async stop() {
      control.stop();
      await system.stop();
      await transport.close();
      logger.info("node stopped");
    },
  };
}
