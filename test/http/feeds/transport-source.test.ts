/**
 * The feed fed from transport subscriptions (what a cluster node uses to
 * show every node's units): a real in-process transport carrying what
 * actors publish — single processed readings, unit-batch arrays, unit
 * states, alarm transitions — reaches a real `ws` client through uWS.
 */
import { afterEach, expect, it } from "vitest";
import { encodeProcessedReading, type ProcessedReading } from "../../../src/actors/readings/index.js";
import { feedFromTransport, FeedState, PublicationFeed, type TransportFeed } from "../../../src/http/feeds/index.js";
import { createInProcessTransport, type Transport } from "../../../src/runtime/transport/index.js";
import { FeedClient, reading, startFeedRig, type FeedRig } from "./rig.js";

let rig: FeedRig | undefined;
let client: FeedClient | undefined;
let transport: Transport | undefined;
let fed: TransportFeed | undefined;
afterEach(async () => {
  client?.close();
  rig?.stop();
  fed?.stop();
  await transport?.close();
  rig = client = transport = fed = undefined;
});

it("readings (single and unit-batch), unit states and alarm transitions published on the transport reach a subscribed client", async () => {
  const t = (transport = createInProcessTransport());
  const source = new PublicationFeed();
  fed = feedFromTransport(t, source);
  rig = await startFeedRig({}, { source, state: new FeedState(source) });
  const c = (client = await FeedClient.connect(rig.url));
  await c.subscribe({});
  await t.flush();

  const enc = new TextEncoder();
  t.publish("vigil.processed.UNIT001.temperature", enc.encode(reading("UNIT001", "temperature", 1)));
  const batch = [2, 3].map((value) => JSON.parse(reading("UNIT002", "pressure", value)) as ProcessedReading);
  t.publish("vigil.batch.processed.UNIT002", enc.encode(`[${batch.map(encodeProcessedReading).join(",")}]`));
  t.publish("vigil.unit.UNIT001.state", enc.encode(JSON.stringify({ unit: "UNIT001", status: "online", operationalState: "NORMAL", health: 1, sensors: {}, updatedAt: 1 })));
  t.publish(
    "vigil.alarm.UNIT001.raised",
    enc.encode(JSON.stringify({ alarmId: "UNIT001/hot/temperature", seq: 1, event: "raised", from: "normal", to: "active_unacknowledged", unit: "UNIT001", sensor: "temperature", rule: "hot" })),
  );

  await c.until(() => c.events().length >= 5 || undefined, "five events");
  const seen = c.events().map((e) => `${e.kind} ${e.unit} ${e.sensor ?? "-"}`).sort();
  expect(seen).toEqual(["alarm UNIT001 temperature", "sensor_data UNIT001 temperature", "sensor_data UNIT002 pressure", "sensor_data UNIT002 pressure", "unit_status UNIT001 -"]);
  expect(c.events().filter((e) => e.unit === "UNIT002").map((e) => e.data["value"])).toEqual([2, 3]);
  expect(fed.dropped).toBe(0);
});
