/**
 * The WebSocket feeds' protocol, with real `ws` clients against a real uWS
 * app: authentication on upgrade, subscribe / unsubscribe with filters and
 * wildcards, the snapshot a subscription starts with, typed errors and the
 * per-connection limits.
 */
import WebSocket from "ws";
import { afterEach, expect, it } from "vitest";
import type { FeedLimits } from "../../../src/http/feeds/index.js";
import { FeedClient, publishReading, startFeedRig, TOKEN, type FeedRig } from "./rig.js";

let rig: FeedRig | undefined;
const clients: FeedClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  rig?.stop();
  rig = undefined;
});

async function setUp(limits: Partial<FeedLimits> = {}): Promise<FeedRig> {
  rig = await startFeedRig(limits);
  return rig;
}

async function client(r: FeedRig, options?: WebSocket.ClientOptions): Promise<FeedClient> {
  const c = await FeedClient.connect(r.url, options);
  clients.push(c);
  return c;
}

function unitState(unit: string, status: string): string {
  return JSON.stringify({ unit, status, operationalState: "NORMAL", severity: null, category: null, health: 0.9, method: "RULES", sensors: {}, lastReadingAt: null, updatedAt: 1 });
}

function transition(unit: string, rule: string, sensor: string | null, event: string, to: string): string {
  return JSON.stringify({ alarmId: `${unit}/${rule}/${sensor ?? "_"}`, seq: 1, event, from: "normal", to, at: 1, by: "system", comment: null, rule, unit, sensor, severity: "HIGH", category: "THERMAL", message: "hot", value: 99, raisedAt: 1, area: null });
}

/** Upgrade refused: resolves with the HTTP status the server answered. */
async function refusedStatus(url: string, options?: WebSocket.ClientOptions): Promise<number> {
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.once("open", () => reject(new Error("the upgrade was accepted")));
  });
}

it("an upgrade without a valid key is refused with 401 and never becomes a WebSocket", async () => {
  const r = await setUp();
  expect(await refusedStatus(r.url)).toBe(401);
  expect(await refusedStatus(r.url, { headers: { "x-api-key": "wrong" } })).toBe(401);
  expect(await refusedStatus(`${r.url}?token=wrong`)).toBe(401);
  expect(await r.metric("vigil_feed_upgrades_refused_total", { reason: "unauthenticated" })).toBe(3);
  expect(r.feeds.clientCount).toBe(0);
});

it("a key in X-API-Key, a bearer token, or ?token= (for browsers) is accepted", async () => {
  const r = await setUp();
  await client(r);
  await client(r, { headers: { authorization: `Bearer ${TOKEN}` } });
  await FeedClient.connect(`${r.url}?token=${TOKEN}`, {}).then((c) => clients.push(c));
  expect(r.feeds.clientCount).toBe(3);
});

it("a client subscribed to one unit's sensor_data receives that unit's readings and nothing else", async () => {
  const r = await setUp();
  const c = await client(r);
  const answers = await c.subscribe({ kinds: ["sensor_data"], units: ["UNIT001"] });
  expect(answers[0]).toMatchObject({ type: "subscribed", subscriptions: 1 });

  publishReading(r.source, "UNIT002", "temperature", 1);
  r.source.publication("vigil.unit.UNIT001.state", unitState("UNIT001", "online"));
  publishReading(r.source, "UNIT001", "temperature", 2);
  publishReading(r.source, "UNIT001", "pressure", 3);
  await c.until(() => c.events().length >= 2, "two readings");
  expect(c.events().map((e) => [e.kind, e.unit, e.sensor, e.data["value"]])).toEqual([
    ["sensor_data", "UNIT001", "temperature", 2],
    ["sensor_data", "UNIT001", "pressure", 3],
  ]);
});

it("wildcards: `*` selects every unit, and a pattern ending in `*` every id with that prefix", async () => {
  const r = await setUp();
  const prefix = await client(r);
  await prefix.subscribe({ kinds: ["sensor_data"], units: ["UNIT00*"], sensors: ["temp*"] });
  const everything = await client(r);
  await everything.subscribe({});

  publishReading(r.source, "UNIT001", "temperature", 1);
  publishReading(r.source, "UNIT010", "temperature", 2);
  publishReading(r.source, "UNIT002", "pressure", 3);
  publishReading(r.source, "UNIT002", "temp_outlet", 4);
  r.source.systemAlert({ level: "error", code: "worker-crashed", message: "worker 1 crashed", at: 5 });

  await everything.until(() => everything.events().length >= 5, "five events");
  expect(everything.events().map((e) => e.kind)).toEqual(["sensor_data", "sensor_data", "sensor_data", "sensor_data", "system_alert"]);
  await prefix.until(() => prefix.events().length >= 2, "two readings");
  expect(prefix.events().map((e) => e.data["value"])).toEqual([1, 4]);
});

it("a subscription starts with a snapshot of the current state it selects: latest value per sensor, unit status and active alarms", async () => {
  const r = await setUp();
  publishReading(r.source, "UNIT001", "temperature", 1);
  publishReading(r.source, "UNIT001", "temperature", 2);
  publishReading(r.source, "UNIT001", "pressure", 7);
  publishReading(r.source, "UNIT002", "temperature", 9);
  r.source.publication("vigil.unit.UNIT001.state", unitState("UNIT001", "maintenance"));
  r.source.publication("vigil.alarm.UNIT001.raised", transition("UNIT001", "hot", "temperature", "raised", "active_unacknowledged"));
  r.source.publication("vigil.alarm.UNIT001.raised", transition("UNIT001", "leak", "pressure", "raised", "active_unacknowledged"));
  r.source.publication("vigil.alarm.UNIT001.cleared", transition("UNIT001", "leak", "pressure", "cleared", "normal"));

  const c = await client(r);
  const answers = await c.subscribe({ units: ["UNIT001"] });
  const snapshot = answers.filter((f) => f.type === "snapshot").flatMap((f) => f.events ?? []);
  const byKey = snapshot.map((e) => `${e.kind} ${e.sensor ?? "-"} ${String(e.data["value"] ?? e.data["status"])}`).sort();
  expect(byKey).toEqual(["alarm temperature 99", "sensor_data pressure 7", "sensor_data temperature 2", "unit_status - maintenance"]);
});

it("after unsubscribing from a unit the client receives only what it is still subscribed to", async () => {
  const r = await setUp();
  const c = await client(r);
  await c.subscribe({ kinds: ["sensor_data"], units: ["UNIT001", "UNIT002"] });
  c.send({ type: "unsubscribe", id: "u", kinds: ["sensor_data"], units: ["UNIT001"] });
  await c.frame((f) => f.type === "unsubscribed" && f.id === "u", "the unsubscribe ack");
  expect(c.frames.find((f) => f.id === "u")).toMatchObject({ subscriptions: 1 });

  publishReading(r.source, "UNIT001", "temperature", 1);
  publishReading(r.source, "UNIT002", "temperature", 2);
  await c.until(() => c.events().length >= 1, "a reading");
  expect(c.events().map((e) => e.unit)).toEqual(["UNIT002"]);

  c.send({ type: "unsubscribe", id: "all", all: true });
  await c.frame((f) => f.id === "all", "the second ack");
  expect(c.frames.find((f) => f.id === "all")).toMatchObject({ type: "unsubscribed", subscriptions: 0 });
});

it("a subscription past the per-connection limit is refused with VIGIL_FEED_SUBSCRIPTION_LIMIT and changes nothing", async () => {
  const r = await setUp({ maxSubscriptions: 4 });
  const c = await client(r);
  // 3 units × 2 sensors = 6 subscriptions.
  const refused = await c.subscribe({ kinds: ["sensor_data"], units: ["A", "B", "C"], sensors: ["x", "y"] });
  expect(refused).toEqual([expect.objectContaining({ type: "error", code: "VIGIL_FEED_SUBSCRIPTION_LIMIT" })]);
  const accepted = await c.subscribe({ kinds: ["sensor_data"], units: ["A", "B"], sensors: ["x", "y"] });
  expect(accepted[0]).toMatchObject({ type: "subscribed", subscriptions: 4 });
  expect(await r.metric("vigil_feed_client_errors_total", { code: "VIGIL_FEED_SUBSCRIPTION_LIMIT" })).toBe(1);
});

it("a malformed message is answered with VIGIL_FEED_MESSAGE_INVALID and the connection stays usable", async () => {
  const r = await setUp();
  const c = await client(r);
  c.send("not json");
  c.send({ type: "subscribe", kinds: ["weather"] });
  c.send({ type: "subscribe", units: ["UNIT 1"] });
  await c.until(() => c.frames.length >= 3, "three errors");
  expect(c.frames.map((f) => [f.type, f.code])).toEqual(Array(3).fill(["error", "VIGIL_FEED_MESSAGE_INVALID"]));
  expect((await c.subscribe({}))[0]).toMatchObject({ type: "subscribed" });
});

it("messages beyond the per-connection rate are refused with VIGIL_FEED_RATE_LIMITED", async () => {
  const r = await setUp({ maxMessagesPerSec: 1 });
  const c = await client(r);
  for (let i = 0; i < 5; i++) c.send({ type: "unsubscribe", id: `m${i}`, all: true });
  await c.until(() => c.frames.length >= 5, "five answers");
  expect(c.frames[0]).toMatchObject({ type: "unsubscribed" });
  expect(c.frames.some((f) => f.code === "VIGIL_FEED_RATE_LIMITED")).toBe(true);
});

it("a message larger than maxPayloadBytes drops the connection (uWS closes it without a close frame: 1006)", async () => {
  const r = await setUp({ maxPayloadBytes: 1024 });
  const c = await client(r);
  c.send({ type: "subscribe", id: "x".repeat(2000) });
  expect(await c.whenClosed()).toBe(1006);
  await c.until(() => r.feeds.clientCount === 0 || undefined, "the server to forget the client");
});

it("on shutdown every client is closed with 1001 and new upgrades are refused with 503", async () => {
  const r = await setUp();
  const c = await client(r);
  r.feeds.close();
  expect(await c.whenClosed()).toBe(1001);
  expect(await refusedStatus(r.url, { headers: { "x-api-key": TOKEN } })).toBe(503);
});
