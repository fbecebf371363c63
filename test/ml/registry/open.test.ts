import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { loadConfig } from "../../../src/config/index.js";
import { JetStreamModelRegistry, openModelRegistry } from "../../../src/ml/index.js";
import { freePort } from "../../harness/probes.js";
import { startNats, stopAllServers, type ServerHandle } from "../../harness/servers.js";
import { newVersion } from "./registry.case.js";

let server: ServerHandle;
let dir: string;
beforeAll(async () => {
  server = await startNats();
  dir = await mkdtemp(path.join(tmpdir(), "vigil-open-registry-"));
});
afterAll(async () => {
  await stopAllServers();
  await rm(dir, { recursive: true, force: true });
});

const BY = { who: "spec", why: "testing" };

describe("openModelRegistry", () => {
  it("opens the filesystem registry at models.registry.fs.root on a node of its own when nothing says otherwise", async () => {
    const root = path.join(dir, "fs-root");
    const config = loadConfig({ env: { VIGIL_MODELS_REGISTRY_FS_ROOT: root } });
    const opened = await openModelRegistry(config);
    expect(opened.kind).toBe("fs");
    await opened.registry.register(newVersion(), BY);
    await opened.close();
    expect(await readdir(path.join(root, "rul"))).toContain("v000001");
  });

  it("opens the JetStream registry on the node's NATS servers, shared with any other node on the bucket", async () => {
    const config = loadConfig({
      env: { VIGIL_MODELS_REGISTRY_KIND: "jetstream", VIGIL_MODELS_REGISTRY_JETSTREAM_BUCKET: "open-spec", VIGIL_TRANSPORT_NATS_SERVERS: server.url },
    });
    const opened = await openModelRegistry(config);
    expect(opened.kind).toBe("jetstream");
    await opened.registry.register(newVersion(), BY);
    await opened.close();
    const other = await connect({ servers: server.url });
    try {
      const registry = await JetStreamModelRegistry.open({ nats: other, bucket: "open-spec" });
      expect((await registry.list("rul")).map((v) => v.version)).toEqual([1]);
    } finally {
      await other.close();
    }
  });

  it("opens the JetStream registry on a cluster member unless told otherwise", async () => {
    const config = loadConfig({ env: { VIGIL_CLUSTER_ENABLED: "true", VIGIL_TRANSPORT_KIND: "nats", VIGIL_TRANSPORT_NATS_SERVERS: server.url } });
    const opened = await openModelRegistry(config);
    try {
      expect(opened.kind).toBe("jetstream");
      expect(await opened.registry.list()).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it("refuses with VIGIL_MODEL_REGISTRY_UNAVAILABLE when no NATS server answers", async () => {
    const nowhere = `nats://127.0.0.1:${await freePort()}`;
    const config = loadConfig({ env: { VIGIL_MODELS_REGISTRY_KIND: "jetstream", VIGIL_TRANSPORT_NATS_SERVERS: nowhere } });
    await expect(openModelRegistry(config)).rejects.toMatchObject({ code: "VIGIL_MODEL_REGISTRY_UNAVAILABLE" });
  });

  it("refuses a bucket name that cannot be a stream name, at config load", () => {
    expect(() => loadConfig({ env: { VIGIL_MODELS_REGISTRY_JETSTREAM_BUCKET: "my.models" } })).toThrow(/models\.registry\.jetstream\.bucket/);
  });
});
