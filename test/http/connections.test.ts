/**
 * The connections area against a real node: its MQTT connector on a real
 * Mosquitto (status, disconnect and connect, a topic mapping added at run
 * time, readings through it reaching the node) and its OPC UA connector on
 * a node-opcua server started here (status, browse, read); and a node with
 * neither answering 409.
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
    ],
    MAX_BODY,
  );
});

describe("MQTT", () => {
  it("reports the connector connected, with its topic patterns", async () => {
    const res = await rig.call("/api/v1/connections/mqtt", { as: "viewer" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ state: "connected", url: broker.url, clientId: "vigil-api-connections", topics: ["scada/{unit}/{sensor}"] });
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

describe("on a node without MQTT or OPC UA", () => {
  it("answers 409 VIGIL_CONNECTOR_DISABLED", async () => {
    const plain = await startApiRig();
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
