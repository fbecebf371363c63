/**
 * The JetStream registry as a cluster uses it: three nats-servers, every
 * bucket and stream with three replicas, each node connected to a different
 * server; and one server restarted under a watcher.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JetStreamModelRegistry, type AuditEntry, type ModelRegistry } from "../../../src/ml/index.js";
import { startNats, startNatsCluster, stopAllServers, type NatsCluster } from "../../harness/servers.js";
import { newVersion } from "./registry.case.js";

const BY = { who: "spec", why: "testing" };

let cluster: NatsCluster;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster(3, "registry");
});

afterAll(async () => {
  for (const nc of connections) await nc.close();
  await stopAllServers();
});

async function node(url: string, name: string, options: { reconnectTimeWait?: number } = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, ...options });
  connections.push(nc);
  return nc;
}

async function staged(registry: ModelRegistry, seed: number): Promise<number> {
  const v = await registry.register(newVersion("rul", seed), BY);
  await registry.transition("rul", v.version, "Staging", BY);
  return v.version;
}

describe("JetStream model registry in a three-server cluster", () => {
  it("leaves one version in Production when nodes on different servers promote at once, and a third node hears both and loads the winner", async () => {
    const [urlA, urlB, urlC] = cluster.urls;
    const open = async (url: string | undefined, name: string) => JetStreamModelRegistry.open({ nats: await node(url ?? "", name), bucket: "cluster-models", replicas: 3 });
    const a = await open(urlA, "node-a");
    const b = await open(urlB, "node-b");
    const c = await open(urlC, "node-c");
    const heard: AuditEntry[] = [];
    const loads: Promise<unknown>[] = [];
    const watch = c.watch((e) => {
      heard.push(e);
      // What a scorer does on hearing a promotion: fetch the checked bytes at once (no stale replica may answer).
      if (e.to === "Production") loads.push(c.load(e.model, e.version));
    });
    await watch.ready;
    const [v1, v2] = [await staged(a, 1), await staged(b, 2)];
    await Promise.all([a.transition("rul", v1, "Production", { who: "node-a", why: "race" }), b.transition("rul", v2, "Production", { who: "node-b", why: "race" })]);
    await vi.waitFor(() => expect(loads).toHaveLength(2), { timeout: 15_000, interval: 10 });
    watch.stop();
    await Promise.all(loads);
    expect((await c.list("rul")).map((v) => v.stage).sort()).toEqual(["Archived", "Production"]);
    const winner = (await a.production("rul"))?.version;
    expect(heard.filter((e) => e.to === "Production").map((e) => e.version).at(-1)).toBe(winner);
    expect(heard).toEqual(await b.audit("rul"));
  });
});

describe("JetStream model registry watch", () => {
  it("keeps hearing changes after its NATS server restarts", async () => {
    const server = await startNats();
    const nc = await node(server.url, "restart-watcher", { reconnectTimeWait: 100 });
    const registry = await JetStreamModelRegistry.open({ nats: nc, bucket: "restart-models" });
    const heard: AuditEntry[] = [];
    const watch = registry.watch((e) => heard.push(e));
    await watch.ready;
    await registry.register(newVersion(), BY);
    await vi.waitFor(() => expect(heard).toHaveLength(1), { timeout: 15_000, interval: 10 });
    await server.restart();
    const writer = await JetStreamModelRegistry.open({ nats: await node(server.url, "restart-writer"), bucket: "restart-models" });
    await writer.transition("rul", 1, "Staging", { who: "after", why: "restart" });
    await vi.waitFor(() => expect(heard).toHaveLength(2), { timeout: 60_000, interval: 50 });
    watch.stop();
    expect(heard.map((e) => [e.version, e.to, e.who])).toEqual([
      [1, "None", "spec"],
      [1, "Staging", "after"],
    ]);
  });
});
