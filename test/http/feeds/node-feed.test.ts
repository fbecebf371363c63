/**
 * End to end: a real node (simulator on, one shard worker, in-process
 * transport) with its feed served by a real uWS app, and a real `ws` client
 * watching one unit.
 */
import { Registry } from "prom-client";
import { afterEach, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/index.js";
import { startNode, type RunningNode } from "../../../src/node/start.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { FeedClient, startFeedRig, type FeedRig } from "./rig.js";

let node: RunningNode | undefined;
let rig: FeedRig | undefined;
let client: FeedClient | undefined;
afterEach(async () => {
  client?.close();
  rig?.stop();
  await node?.stop();
  node = rig = client = undefined;
});

it("a client watching UNIT001 of a running node sees its sensor_data and unit_status, and nothing of other units", async () => {
  // History off: the default history file is shared by every node in this checkout.
  const config = loadConfig({ env: { VIGIL_RUNTIME_WORKERS: "1", VIGIL_HISTORY_ENABLED: "false", VIGIL_HTTP_PORT: "0" } });
  expect(config.simulator).toMatchObject({ enabled: true, units: 5 });
  node = await startNode(config, { logger: silentLog, registry: new Registry() });
  rig = await startFeedRig({}, node.feed);
  client = await FeedClient.connect(rig.url);
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
