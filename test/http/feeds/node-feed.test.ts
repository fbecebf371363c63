/**
 * End to end: a real node (simulator on, one shard worker, in-process
 * transport) serving its feeds on its own HTTP server, and a real `ws`
 * client that authenticates with the node's one-time admin key and watches
 * one unit.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterEach, expect, it } from "vitest";
import { loadConfig, type VigilConfig } from "../../../src/config/index.js";
import { startNode, type RunningNode } from "../../../src/node/start.js";
import { FsModelRegistry } from "../../../src/ml/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { newVersion } from "../../ml/registry/registry.case.js";
import { FeedClient } from "./rig.js";

let node: RunningNode | undefined;
let client: FeedClient | undefined;
const dirs: string[] = [];
afterEach(async () => {
  client?.close();
  await node?.stop();
  node = client = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A node on a free HTTP port, and a client connected to its feeds with the node's one-time admin key. */
async function nodeAndClient(env: Record<string, string> = {}): Promise<{ config: VigilConfig; running: RunningNode; c: FeedClient }> {
  // History off: the default history file is shared by every node in this checkout.
  const config = loadConfig({ env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HISTORY_ENABLED: "false", VIGIL_HTTP_PORT: "0", ...env } });
  let key = "";
  const running = (node = await startNode(config, { logger: silentLog, registry: new Registry(), http: { announceKey: (k) => void (key = k) } }));
  const url = `${(running.http?.url ?? "").replace(/^http/, "ws")}${config.feeds.path}`;
  const c = (client = await FeedClient.connect(url, { headers: { "x-api-key": key } }));
  return { config, running, c };
}

it("a client watching UNIT001 of a running node, on the node's own server and key, sees its sensor_data and unit_status, and nothing of other units", async () => {
  const { config, c } = await nodeAndClient();
  expect(config.simulator).toMatchObject({ enabled: true, units: 5 });
  await c.subscribe({ kinds: ["sensor_data", "unit_status"], units: ["UNIT001"] });

  // From the snapshot or live, whichever comes first: both are the node's own events.
  const seen = (): Set<string> => new Set(c.frames.flatMap((f) => f.events ?? []).map((e) => e.kind));
  await c.until(() => (seen().has("sensor_data") && seen().has("unit_status")) || undefined, "sensor_data and unit_status of UNIT001");
  const events = c.frames.flatMap((f) => f.events ?? []);
  expect(new Set(events.map((e) => e.unit))).toEqual(new Set(["UNIT001"]));
  const reading = events.find((e) => e.kind === "sensor_data");
  expect(reading?.data).toMatchObject({ unit: "UNIT001", source: "simulator" });
  expect(typeof reading?.data["value"]).toBe("number");
  expect(events.find((e) => e.kind === "unit_status")?.data).toMatchObject({ unit: "UNIT001", status: "online" });
});

it("a promotion in the node's model registry reaches a client subscribed to model_update, each stage move as it happens", async () => {
  const root = mkdtempSync(join(tmpdir(), "vigil-feed-models-"));
  dirs.push(root);
  await new FsModelRegistry({ root }).register(newVersion("spec_model"), { who: "spec", why: "a version to promote" });
  const { running, c } = await nodeAndClient({ VIGIL_MODELS_REGISTRY_FS_ROOT: root, VIGIL_SIMULATOR_ENABLED: "false" });
  await c.subscribe({ kinds: ["model_update"] });

  await running.models.promote("spec_model", 1, { who: "operator-1", why: "better holdout" });
  await c.until(() => c.events().length >= 2 || undefined, "two model updates");
  expect(c.events().map((e) => [e.kind, e.data["model"], e.data["version"], e.data["to"], e.data["who"]])).toEqual([
    ["model_update", "spec_model", 1, "Staging", "operator-1"],
    ["model_update", "spec_model", 1, "Production", "operator-1"],
  ]);
});
