/**
 * The one way a node opens its model registry, from `models.registry`:
 * the filesystem one at `fs.root`, or the JetStream one shared by the
 * cluster, on a NATS connection of its own to the node's servers (or one
 * handed in). Closing gives back only what it opened.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { VigilConfig } from "../../config/index.js";
import { VigilError } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import { FsModelRegistry } from "./fs-registry.js";
import { JetStreamModelRegistry } from "./jetstream-registry.js";
import type { ModelRegistry } from "./types.js";

export interface ModelRegistryDeps {
  /** A connection to use for the JetStream registry instead of opening one; left open by close(). */
  readonly nats?: NatsConnection;
  readonly logger?: Logger;
}

export interface OpenModelRegistry {
  readonly registry: ModelRegistry;
  readonly kind: VigilConfig["models"]["registry"]["kind"];
  /** Closes the NATS connection opened for the registry, if any (which ends its watches). */
  close(): Promise<void>;
}

export async function openModelRegistry(config: Pick<VigilConfig, "models" | "transport" | "node">, deps: ModelRegistryDeps = {}): Promise<OpenModelRegistry> {
  const settings = config.models.registry;
  if (settings.kind === "fs") {
    return { registry: new FsModelRegistry({ root: settings.fs.root }), kind: "fs", close: () => Promise.resolve() };
  }
  const own = deps.nats === undefined;
  const nats = deps.nats ?? (await connectForRegistry(config));
  try {
    const registry = await JetStreamModelRegistry.open({ nats, bucket: settings.jetstream.bucket, replicas: settings.jetstream.replicas, ...(deps.logger === undefined ? {} : { logger: deps.logger }) });
    return { registry, kind: "jetstream", close: () => (own ? nats.close() : Promise.resolve()) };
  } catch (err) {
    if (own) await nats.close();
    throw err;
  }
}

async function connectForRegistry(config: Pick<VigilConfig, "transport" | "node">): Promise<NatsConnection> {
  const { servers, name } = config.transport.nats;
  try {
    // Like the transport, keep reconnecting: a NATS outage pauses promotions, it must not end them.
    return await connect({ servers, name: `${name}-${config.node.id}-models`, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_REGISTRY_UNAVAILABLE", `cannot reach NATS (${servers.join(", ")}) for the model registry: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
