/**
 * End to end: a real node (simulator on, one shard worker, in-process
 * transport) serving its feeds on its own HTTP server, and a real `ws`
 * client that authenticates with the node's one-time admin key and watches
 * one unit.
 */
import { Registry } from "prom-client";
import { afterEach, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { startNode, type RunningNode } from "../../../src/node/start.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { FeedClient } from "./rig.js";

let node: RunningNode | undefined;
let client: FeedClient | undefined;
afterEach(async () => {
  client?.close();
  await node?.stop();
  node = client = undefined;
});

it("a client watching UNIT001 of a running node, on the node's own server and key, sees its sensor_data and unit_status, and nothing of other units", async () => {
  // History off: the default history file is shared by every node in this checkout.
  const config = loadConfig({ env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HISTORY_ENABLED: "false", VIGIL_HTTP_PORT: "0" } });
  expect(config.simulator).toMatchObject({ enabled: true, units: 5 });
  let key = "";
  node = await startNode(config, { logger: silentLog, registry: new Registry(), http: { announceKey: (k) => void (key = k) } });
  const url = `${(node.http?.url ?? "").replace(/^http/, "ws")}${config.feeds.path}`;
  client = await FeedClient.connect(url, { headers: { "x-api-key": key } });
  const c = client;
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
