import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JetStreamModelRegistry, type ModelRegistry } from "../../../src/ml/index.js";
import { startNats, stopAllServers, type ServerHandle } from "../../harness/servers.js";
import { newVersion, registryContract } from "./registry.case.js";

let server: ServerHandle;
/** Two connections stand for two nodes. */
let nodeA: NatsConnection;
let nodeB: NatsConnection;

beforeAll(async () => {
  server = await startNats();
  nodeA = await connect({ servers: server.url, name: "registry-node-a" });
  nodeB = await connect({ servers: server.url, name: "registry-node-b" });
});

afterAll(async () => {
  await nodeA.close();
  await nodeB.close();
  await stopAllServers();
});

let buckets = 0;
const bucketOf = new WeakMap<ModelRegistry, string>();

async function fresh(): Promise<JetStreamModelRegistry> {
  const bucket = `models-${++buckets}`;
  const registry = await JetStreamModelRegistry.open({ nats: nodeA, bucket });
  bucketOf.set(registry, bucket);
  return registry;
}

registryContract("JetStream", fresh, async (registry) => JetStreamModelRegistry.open({ nats: nodeB, bucket: bucketOf.get(registry) ?? "" }));

const BY = { who: "spec", why: "testing" };

async function inProduction(registry: ModelRegistry, seeds: number[]): Promise<void> {
  for (const seed of seeds) {
    const v = await registry.register(newVersion("rul", seed), BY);
    await registry.transition("rul", v.version, "Staging", BY);
    await registry.transition("rul", v.version, "Production", BY);
  }
}

/** Replaces a version's ONNX bytes in the object store, as damage or a stray writer would. */
async function overwriteObject(bucket: string, name: string, bytes: Uint8Array): Promise<void> {
  const store = await new Objm(nodeB).open(bucket);
  await store.putBlob({ name }, bytes);
}

describe("JetStream model registry", () => {
  it("refuses to load a version whose ONNX object was altered in the object store, naming the hash mismatch", async () => {
    const registry = await fresh();
    await registry.register(newVersion(), BY);
    const bytes = Uint8Array.from(newVersion().onnx);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await overwriteObject(bucketOf.get(registry) ?? "", "rul/v000001", bytes);
    await expect(registry.load("rul", 1)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT", message: expect.stringContaining("hash") as unknown });
  });

  it("refuses a rollback to a version whose object is damaged, and Production stays as it was", async () => {
    const registry = await fresh();
    await inProduction(registry, [1, 2]);
    await overwriteObject(bucketOf.get(registry) ?? "", "rul/v000001", new TextEncoder().encode("not a model"));
    await expect(registry.rollback("rul", 1, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT" });
    expect((await registry.production("rul"))?.version).toBe(2);
  });

  it("does not list a version whose register died after claiming its number, and numbers the next one after it", async () => {
    const registry = await fresh();
    const kv = await new Kvm(nodeB).open(bucketOf.get(registry) ?? "");
    await kv.create("rul.v000001", "{}");
    expect(await registry.list("rul")).toEqual([]);
    const v = await registry.register(newVersion(), BY);
    expect(v.version).toBe(2);
    expect((await registry.list("rul")).map((m) => m.version)).toEqual([2]);
  });

  it("keeps the change stream append-only: the server refuses to purge it or delete a change", async () => {
    const registry = await fresh();
    await inProduction(registry, [1]);
    const jsm = await jetstreamManager(nodeB);
    const stream = `${bucketOf.get(registry) ?? ""}-changes`;
    await expect(jsm.streams.purge(stream)).rejects.toThrow();
    await expect(jsm.streams.deleteMessage(stream, 1)).rejects.toThrow();
    expect(await registry.audit("rul")).toHaveLength(3);
  });

  it("lists every model's versions and audits them in the order the changes landed", async () => {
    const registry = await fresh();
    await registry.register(newVersion("anomaly.temperature"), BY);
    await registry.register(newVersion("unit_state"), BY);
    await registry.register(newVersion("anomaly.temperature", 2), BY);
    expect((await registry.list()).map((v) => `${v.model} v${v.version}`)).toEqual(["anomaly.temperature v1", "anomaly.temperature v2", "unit_state v1"]);
    expect((await registry.audit()).map((a) => `${a.model} v${a.version}`)).toEqual(["anomaly.temperature v1", "unit_state v1", "anomaly.temperature v2"]);
  });

  it("refuses to open on a server without JetStream, with VIGIL_MODEL_REGISTRY_UNAVAILABLE", async () => {
    const plain = await startNats({ jetstream: false });
    const nc = await connect({ servers: plain.url });
    try {
      await expect(JetStreamModelRegistry.open({ nats: nc })).rejects.toMatchObject({ code: "VIGIL_MODEL_REGISTRY_UNAVAILABLE" });
    } finally {
      await nc.close();
      await plain.stop();
    }
  });
});
