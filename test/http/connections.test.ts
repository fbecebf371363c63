/**
 * The connections area against a real node: its MQTT connector on a real
 * Mosquitto (status, disconnect and connect, a topic mapping added and
 * removed at run time, readings through it reaching the node or not) and
 * its OPC UA connector on a node-opcua server started here (status, browse,
 * read, disconnect and connect, nodes mapped and unmapped at run time, an
 * endpoint added with security and a user on a node that had none); and a
 * node with neither answering 409.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlantOpcUaServer } from "../../src/actors/simulator/opcua-server.js";
import { silentLog } from "../fixtures/actor-system.js";
import { CLIENT_PKI, SERVER_PKI } from "../actors/connectors/opcua/pki.js";
import { connectDevice } from "../actors/connectors/mqtt/mqtt-rig.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../harness/servers.js";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY = 4 * 1024;
const USER = { username: "operator", password: "s3cret-for-api" };
let broker: ServerHandle;
let plc: PlantOpcUaServer;
let rig: ApiRig;
let device: MqttClient;

beforeAll(async () => {
  broker = await startMosquitto();
  plc = new PlantOpcUaServer({ pkiDir: SERVER_PKI, units: { UNIT001: ["temperature", "pressure"] }, log: silentLog });
  await plc.start();
  plc.setValue("UNIT001", "temperature", 61.25, "GOOD");
  rig = await startApiRig({
    env: { VIGIL_MQTT_ENABLED: "true", VIGIL_MQTT_URL: broker.url, VIGIL_MQTT_CLIENT_ID: "vigil-api-connections", VIGIL_MQTT_SHARED_GROUP: "" },
    http: { maxBodyBytes: MAX_BODY, rateLimit: { perSecond: 0, burst: 1 } },
    config: (c) => ({
      ...c,
      opcua: {
        ...c.opcua,
        enabled: true,
        pkiDir: CLIENT_PKI,
        acceptUnknownServerCertificates: true,
        endpoints: [{ name: "plc-1", endpointUrl: plc.endpointUrl, securityMode: "None", securityPolicy: "None", publishingIntervalMs: 100, samplingIntervalMs: 50, nodes: [{ nodeId: "ns=1;s=UNIT001.temperature", unit: "UNIT001", sensor: "temperature", scale: 1, offset: 0 }] }],
      },
    }),
  });
  await rig.node.connectors.mqtt!.ready();
  device = await connectDevice(broker.url);
}, 60_000);

afterAll(async () => {
  await device?.endAsync(true);
  await rig?.stop();
  await plc?.stop();
  await stopAllServers();
});

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "GET", path: "/api/v1/connections/mqtt", role: "viewer" },
      { method: "POST", path: "/api/v1/connections/mqtt/disconnect", role: "operator" },
      { method: "POST", path: "/api/v1/connections/mqtt/connect", role: "operator" },
      { method: "POST", path: "/api/v1/connections/mqtt/subscriptions", role: "admin", malformed: { topic: "a/#/b", payload: "reading" } },
      { method: "GET", path: "/api/v1/connections/opcua", role: "viewer" },
      { method: "GET", path: "/api/v1/connections/opcua/browse", role: "viewer" },
      { method: "GET", path: "/api/v1/connections/opcua/read?nodeId=ns%3D1%3Bs%3DUNIT001.temperature", role: "viewer" },
      { method: "DELETE", path: "/api/v1/connections/mqtt/subscriptions?topic=nothing%2F%7Bunit%7D%2F%7Bsensor%7D", role: "admin" },
      { method: "POST", path: "/api/v1/connections/opcua/disconnect", role: "operator", malformed: { endpoint: 7 } },
      { method: "POST", path: "/api/v1/connections/opcua/connect", role: "operator", malformed: { endpoint: "plc-1", extra: true } },
      { method: "POST", path: "/api/v1/connections/opcua/endpoints", role: "admin", malformed: { endpointUrl: "http://plc", nodes: [] } },
      { method: "POST", path: "/api/v1/connections/opcua/subscriptions", role: "admin", malformed: { nodes: [{ nodeId: "not a node id", unit: "U", sensor: "s" }] } },
      { method: "DELETE", path: "/api/v1/connections/opcua/subscriptions?nodeId=ns%3D1%3Bs%3DUNIT001.nothing", role: "admin" },
    ],
    MAX_BODY,
  );
});

describe("MQTT", () => {
  it("reports the connector connected, with its topic patterns", async () => {
    const res = await rig.call("/api/v1/connections/mqtt", { as: "viewer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: "connected", url: broker.url, clientId: "vigil-api-connections", topics: ["scada/{unit}/{sensor}", "solar/{device}/data"] });
  });

  it("disconnects on an operator's word (health says disabled, not down), and connects again", async () => {
    const paused = await rig.call("/api/v1/connections/mqtt/disconnect", { method: "POST", as: "operator" });
    expect(await paused.json()).toMatchObject({ state: "paused" });
    const health = (await (await rig.call("/api/v1/health")).json()) as { subsystems: Record<string, string> };
    expect(health.subsystems["mqtt"]).toBe("disabled");
    const back = await rig.call("/api/v1/connections/mqtt/connect", { method: "POST", as: "operator" });
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ state: "connected" });
  });

  it("adds a topic mapping whose readings reach the node's sensor actors", async () => {
    const res = await rig.call("/api/v1/connections/mqtt/subscriptions", {
      method: "POST",
      as: "admin",
      json: { topic: "lines/{line}/{unit}/{sensor}", payload: "reading" },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { topics: string[] }).topics).toContain("lines/{line}/{unit}/{sensor}");
    await device.publishAsync("lines/L2/UNIT042/vibration", "3.5", { qos: 1 });
    // The node's live state (what the WebSocket feeds snapshot) holds each sensor's latest processed reading.
    const reached = () => rig.node.feed.state.snapshot((e) => e.kind === "sensor_data" && e.unit === "UNIT042" && e.sensor === "vibration");
    await expect.poll(() => reached().length, { timeout: 15_000 }).toBe(1);
    expect(JSON.parse(reached()[0]!.json)).toMatchObject({ data: { value: 3.5 } });
  });

  it("answers a pattern mapped already with 409", async () => {
    const res = await rig.call("/api/v1/connections/mqtt/subscriptions", { method: "POST", as: "admin", json: { topic: "scada/{unit}/{sensor}", payload: "reading" } });
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe("VIGIL_MQTT_TOPIC_EXISTS");
  });

  it("removes a topic mapping: the broker stops sending its topic, while the other mappings' readings still arrive", async () => {
    const added = await rig.call("/api/v1/connections/mqtt/subscriptions", { method: "POST", as: "admin", json: { topic: "cells/{unit}/{sensor}", payload: "reading" } });
    expect(added.status).toBe(201);
    const res = await rig.call(`/api/v1/connections/mqtt/subscriptions?topic=${encodeURIComponent("cells/{unit}/{sensor}")}`, { method: "DELETE", as: "admin" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { topics: string[] }).topics).not.toContain("cells/{unit}/{sensor}");
    const messagesBefore = rig.node.connectors.mqtt!.status().messages;
    await device.publishAsync("cells/UNIT077/level", "1.5", { qos: 1 });
    // The marker, published after it on a topic still mapped: once it is in, the removed topic's message would be too.
    await device.publishAsync("scada/UNIT077/marker", "2.5", { qos: 1 });
    const seen = (sensor: string) => rig.node.feed.state.snapshot((e) => e.kind === "sensor_data" && e.unit === "UNIT077" && e.sensor === sensor).length;
    await expect.poll(() => seen("marker"), { timeout: 15_000 }).toBe(1);
    expect(seen("level")).toBe(0);
    // Not delivered at all (rather than delivered and refused as fitting no pattern): only the marker came.
    expect(rig.node.connectors.mqtt!.status().messages - messagesBefore).toBe(1);
  });

  it("answers a pattern that is not mapped with 404 VIGIL_MQTT_TOPIC_UNKNOWN", async () => {
    const res = await rig.call(`/api/v1/connections/mqtt/subscriptions?topic=${encodeURIComponent("nothing/{unit}/{sensor}")}`, { method: "DELETE", as: "admin" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_MQTT_TOPIC_UNKNOWN");
  });

  it("answers a mapping whose template uses a placeholder the topic lacks with 400 naming the field", async () => {
    const res = await rig.call("/api/v1/connections/mqtt/subscriptions", { method: "POST", as: "admin", json: { topic: "x/{unit}", payload: "reading", sensor: "{sensor}" } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("sensor");
  });
});

describe("OPC UA", () => {
  it("reports the endpoint connected with its monitored node", async () => {
    const res = await rig.call("/api/v1/connections/opcua", { as: "viewer" });
    expect(await res.json()).toMatchObject({ endpoints: [{ endpoint: "plc-1", state: "connected", monitoredNodes: 1, badNodes: [] }] });
  });

  it("browses from the server's Objects folder down to a unit's sensors", async () => {
    const browse = async (query: string) =>
      (await (await rig.call(`/api/v1/connections/opcua/browse${query}`, { as: "viewer" })).json()) as { nodeId: string; children: { browseName: string; nodeId: string; nodeClass: string }[] };
    const top = await browse("");
    expect(top.nodeId).toBe("i=85");
    expect(top.children).toContainEqual({ nodeId: "ns=1;s=Plant", browseName: "Plant", displayName: "Plant", nodeClass: "Object" });
    const plant = await browse(`?endpoint=plc-1&nodeId=${encodeURIComponent("ns=1;s=Plant")}`);
    expect(plant.children.map((c) => c.browseName)).toEqual(["UNIT001"]);
    const unit = await browse(`?nodeId=${encodeURIComponent("ns=1;s=UNIT001")}`);
    expect(unit.children.map((c) => c.browseName)).toEqual(expect.arrayContaining(["temperature", "pressure"]));
  });

  it("reads a node's current value from the server", async () => {
    const res = await rig.call(`/api/v1/connections/opcua/read?nodeId=${encodeURIComponent("ns=1;s=UNIT001.temperature")}`, { as: "viewer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ nodeId: "ns=1;s=UNIT001.temperature", value: 61.25, quality: "GOOD", status: "Good" });
  });

  it("answers a node the server does not have with 404", async () => {
    const res = await rig.call(`/api/v1/connections/opcua/read?nodeId=${encodeURIComponent("ns=1;s=UNIT999.nothing")}`, { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_OPCUA_BAD_NODE");
  });

  it("answers an endpoint that is not configured with 404", async () => {
    const res = await rig.call("/api/v1/connections/opcua/browse?endpoint=plc-9", { as: "viewer" });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_OPCUA_UNKNOWN_ENDPOINT");
  });
});

describe("OPC UA at run time", () => {
  interface Endpoint {
    endpoint: string;
    state: string;
    monitoredNodes: number;
    badNodes: { nodeId: string; reason: string }[];
    error?: { code: string };
  }
  const call = async (path: string, method: string, as: "operator" | "admin", json?: unknown): Promise<{ status: number; body: Endpoint }> => {
    const res = await rig.call(`/api/v1/connections/opcua${path}`, { method, as, ...(json === undefined ? {} : { json }) });
    return { status: res.status, body: (await res.json()) as Endpoint };
  };
  const latest = (unit: string, sensor: string) => {
    const [event] = rig.node.feed.state.snapshot((e) => e.kind === "sensor_data" && e.unit === unit && e.sensor === sensor);
    return event === undefined ? undefined : (JSON.parse(event.json) as { data: { value: number } }).data.value;
  };

  it("disconnects an endpoint on an operator's word (health says disabled, not down), and connects it again", async () => {
    const off = await call("/disconnect", "POST", "operator", { endpoint: "plc-1" });
    expect(off).toMatchObject({ status: 200, body: { endpoint: "plc-1", state: "disconnected" } });
    const health = (await (await rig.call("/api/v1/health")).json()) as { subsystems: Record<string, string> };
    expect(health.subsystems["opcua"]).toBe("disabled");
    const on = await call("/connect", "POST", "operator", {});
    expect(on).toMatchObject({ status: 200, body: { endpoint: "plc-1", state: "connected", monitoredNodes: 1 } });
  });

  it("maps a node at run time: monitored at once, its values scaled into readings", async () => {
    const res = await call("/subscriptions", "POST", "admin", { endpoint: "plc-1", nodes: [{ nodeId: "ns=1;s=UNIT001.pressure", unit: "UNIT001", sensor: "pressure", scale: 10, offset: 1 }] });
    expect(res).toMatchObject({ status: 201, body: { state: "connected", monitoredNodes: 2, badNodes: [] } });
    plc.setValue("UNIT001", "pressure", 4, "GOOD");
    await expect.poll(() => latest("UNIT001", "pressure"), { timeout: 15_000 }).toBe(41);
  });

  it("answers a node mapped already with 409 VIGIL_OPCUA_NODE_MAPPED", async () => {
    const res = await call("/subscriptions", "POST", "admin", { nodes: [{ nodeId: "ns=1;s=UNIT001.temperature", unit: "UNIT001", sensor: "temperature" }] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "VIGIL_OPCUA_NODE_MAPPED" } });
  });

  it("unmaps a node: its later values no longer become readings, the other nodes' still do", async () => {
    const res = await call(`/subscriptions?nodeId=${encodeURIComponent("ns=1;s=UNIT001.pressure")}`, "DELETE", "admin");
    expect(res).toMatchObject({ status: 200, body: { monitoredNodes: 1 } });
    const before = latest("UNIT001", "pressure");
    plc.setValue("UNIT001", "pressure", 9, "GOOD");
    // The marker, changed after it on a node still monitored.
    plc.setValue("UNIT001", "temperature", 77.5, "GOOD");
    await expect.poll(() => latest("UNIT001", "temperature"), { timeout: 15_000 }).toBe(77.5);
    expect(latest("UNIT001", "pressure")).toBe(before);
  });

  it("answers a node that is not mapped with 404 VIGIL_OPCUA_NODE_NOT_MAPPED", async () => {
    const res = await call(`/subscriptions?nodeId=${encodeURIComponent("ns=1;s=UNIT001.pressure")}`, "DELETE", "admin");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "VIGIL_OPCUA_NODE_NOT_MAPPED" } });
  });

  it("answers an endpoint name that is taken with 409 VIGIL_OPCUA_ENDPOINT_EXISTS", async () => {
    const res = await call("/endpoints", "POST", "admin", { name: "plc-1", endpointUrl: plc.endpointUrl, nodes: [{ nodeId: "ns=1;s=UNIT001.pressure", unit: "UNIT001", sensor: "pressure" }] });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "VIGIL_OPCUA_ENDPOINT_EXISTS" } });
  });
});

it("lists the run-time connection routes in the OpenAPI document", async () => {
  const doc = (await (await rig.call("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  const methods = (path: string) => Object.keys(doc.paths[`/api/v1/connections${path}`] ?? {}).sort();
  expect(methods("/mqtt/subscriptions")).toEqual(["delete", "post"]);
  expect(methods("/opcua/subscriptions")).toEqual(["delete", "post"]);
  for (const path of ["/opcua/connect", "/opcua/disconnect", "/opcua/endpoints"]) expect(methods(path)).toEqual(["post"]);
});

describe("on a node with OPC UA on and no endpoint configured", () => {
  it("adds an endpoint signed and encrypted, signing in as a user, whose node's values become readings", async () => {
    const secure = new PlantOpcUaServer({ pkiDir: SERVER_PKI, users: [USER], units: { UNIT005: ["vibration"] }, log: silentLog });
    await secure.start();
    const bare = await startApiRig({ config: (c) => ({ ...c, opcua: { ...c.opcua, enabled: true, pkiDir: CLIENT_PKI, acceptUnknownServerCertificates: true, endpoints: [] } }) });
    try {
      expect(await (await bare.call("/api/v1/connections/opcua", { as: "viewer" })).json()).toEqual({ endpoints: [] });
      const endpoint = {
        name: "plc-secure",
        endpointUrl: secure.endpointUrl,
        securityMode: "SignAndEncrypt",
        securityPolicy: "Basic256Sha256",
        ...USER,
        publishingIntervalMs: 100,
        samplingIntervalMs: 50,
        nodes: [{ nodeId: "ns=1;s=UNIT005.vibration", unit: "UNIT005", sensor: "vibration" }],
      };
      const res = await bare.call("/api/v1/connections/opcua/endpoints", { method: "POST", as: "admin", json: endpoint });
      expect(res.status).toBe(201);
      const status = (await res.json()) as Record<string, unknown>;
      expect(status).toMatchObject({ endpoint: "plc-secure", state: "connected", monitoredNodes: 1 });
      expect(JSON.stringify(status)).not.toContain(USER.password);
      secure.setValue("UNIT005", "vibration", 3.25, "GOOD");
      const value = () => bare.node.feed.state.snapshot((e) => e.kind === "sensor_data" && e.unit === "UNIT005").map((e) => (JSON.parse(e.json) as { data: { value: number } }).data.value);
      await expect.poll(value, { timeout: 15_000 }).toContain(3.25);
    } finally {
      await bare.stop();
      await secure.stop();
    }
  }, 60_000);
});

describe("on a node without MQTT or OPC UA", () => {
  it("answers 409 VIGIL_CONNECTOR_DISABLED", async () => {
    const plain = await startApiRig({ env: { VIGIL_OPCUA_ENABLED: "false" } });
    try {
      for (const path of ["/api/v1/connections/mqtt", "/api/v1/connections/opcua"]) {
        const res = await plain.call(path, { as: "viewer" });
        expect(res.status).toBe(409);
        expect(await codeOf(res)).toBe("VIGIL_CONNECTOR_DISABLED");
      }
    } finally {
      await plain.stop();
    }
  });
});
