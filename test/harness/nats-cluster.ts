/**
 * A NATS cluster with JetStream on loopback: `size` servers (3 by default,
 * the smallest that keeps a quorum with one down), routed to each other,
 * each with its own port and data dir. Servers do not advertise each other to
 * clients, so a client reaches only the URLs it was given (a test can cut
 * one off behind a proxy). Resolves once JetStream answers
 * through every server (a meta leader is elected), so streams with three
 * replicas can be created at once.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { freePorts, LOOPBACK } from "./probes.js";
import { startNats } from "./servers.js";
import type { ServerHandle } from "./server-process.js";

export interface NatsCluster {
  readonly servers: ServerHandle[];
  /** Every server's client URL. */
  readonly urls: string[];
  /** Resolves when JetStream answers through every running server. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export async function startNatsCluster(size = 3, name = "vigil"): Promise<NatsCluster> {
  const ports = await freePorts(size * 2);
  const clientPorts = ports.slice(0, size);
  const routePorts = ports.slice(size);
  const routes = routePorts.map((p) => `nats-route://${LOOPBACK}:${p}`).join(",");
  const servers = await Promise.all(
    clientPorts.map((port, i) =>
      startNats({
        port,
        args: ["-n", `${name}-${i + 1}`, "--cluster_name", name, "--cluster", `nats://${LOOPBACK}:${String(routePorts[i])}`, "--routes", routes, "--no_advertise"],
      }),
    ),
  );
  const cluster: NatsCluster = {
    servers,
    urls: servers.map((s) => s.url),
    ready: () => jetStreamReady(servers.filter((s) => s.running).map((s) => s.url)),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
  await cluster.ready();
  return cluster;
}

async function jetStreamReady(urls: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (const url of urls) {
    const nc = await connect({ servers: url, reconnect: false });
    try {
      for (;;) {
        try {
          const jsm = await jetstreamManager(nc, { timeout: 2_000 });
          await jsm.getAccountInfo();
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`JetStream did not become ready through ${url}`, { cause: err });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      await nc.close();
    }
  }
}
