/**
 * The one way a node opens its model registry, from `models.registry`:
 * the filesystem one at `fs.root`, or the JetStream one shared by the
 * cluster, on a NATS connection of its own to the node's servers (or one
 * handed in), with the cluster's replica count. "auto" is JetStream on a
 * cluster member and the filesystem otherwise. Closing gives back only what
 * it opened.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { VigilConfig } from "../../config/index.js";
import { VigilError } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import { FsModelRegistry } from "./fs-registry.js";
import { JetStreamModelRegistry } from "./jetstream-registry.js";
import type { ModelRegistry } from "./types.js";

export type RegistryConfig = Pick<VigilConfig, "models" | "transport" | "node" | "cluster">;

export interface ModelRegistryDeps {
  /** A connection to use for the JetStream registry instead of opening one; left open by close(). */
  readonly nats?: NatsConnection;
  readonly logger?: Logger;
}

export interface OpenModelRegistry {
  readonly registry: ModelRegistry;
  /** The backend opened ("auto" resolved). */
  readonly kind: "fs" | "jetstream";
  /** Closes the NATS connection opened for the registry, if any (which ends its watches). */
  close(): Promise<void>;
}

/** The backend `models.registry.kind` means for this node. */
export function registryKind(config: RegistryConfig): "fs" | "jetstream" {
  const kind = config.models.registry.kind;
  if (kind !== "auto") return kind;
  return config.cluster.enabled ? "jetstream" : "fs";
}

export async function openModelRegistry(config: RegistryConfig, deps: ModelRegistryDeps = {}): Promise<OpenModelRegistry> {
  const settings = config.models.registry;
  if (registryKind(config) === "fs") {
    if (config.cluster.enabled) {
      deps.logger?.warn({ root: settings.fs.root }, "models.registry.kind is fs on a cluster member: models promoted here are not seen by the other nodes");
    }
    return { registry: new FsModelRegistry({ root: settings.fs.root }), kind: "fs", close: () => Promise.resolve() };
  }
  const own = deps.nats === undefined;
  const nats = deps.nats ?? (await connectForRegistry(config));
  try {
    const registry = await JetStreamModelRegistry.open({
      nats,
      bucket: settings.jetstream.bucket,
      replicas: config.cluster.replicas,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    });
    return { registry, kind: "jetstream", close: () => (own ? nats.close() : Promise.resolve()) };
  } catch (err) {
    if (own) await nats.close();
    throw err;
  }
}

async function connectForRegistry(config: RegistryConfig): Promise<NatsConnection> {
  const { servers, name } = config.transport.nats;
  try {
    // Like the transport, keep reconnecting: a NATS outage pauses promotions, it must not end them.
    return await connect({ servers, name: `${name}-${config.node.id}-models`, maxReconnectAttempts: -1 });
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_REGISTRY_UNAVAILABLE", `cannot reach NATS (${servers.join(", ")}) for the model registry: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
