/**
 * The OPC UA connector against a real node-opcua server (the simulator's
 * PlantOpcUaServer, started here) and a real actor system: data changes
 * become readings at the sensor actor, status codes become quality, bad
 * values are rejected and counted, the address space can be browsed and
 * read, and sign-in and security are enforced by the server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OpcUaConnector, type OpcUaEndpointOptions } from "../../../../src/actors/connectors/opcua/index.js";
import { PlantOpcUaServer } from "../../../../src/actors/simulator/opcua-server.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { CLIENT_PKI, SERVER_PKI, STRICT_CLIENT_PKI } from "./pki.js";
import { endpointReaches, startPipeline, type Pipeline } from "./pipeline.js";

const USER = { username: "operator", password: "s3cret-for-tests" };
const SENSORS = ["temperature", "pressure", "temperature_raw"];

let server: PlantOpcUaServer;
let pipeline: Pipeline;
let connector: OpcUaConnector | undefined;

beforeAll(async () => {
  server = new PlantOpcUaServer({
    pkiDir: SERVER_PKI,
    users: [USER],
    // Everything but Aes256_Sha256_RsaPss, so one spec can ask for a policy the server lacks.
    securityPolicies: ["None", "Basic256Sha256", "Aes128_Sha256_RsaOaep"],
    units: { UNIT001: SENSORS, UNIT002: SENSORS },
    log: silentLog,
  });
  await server.start();
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
  await pipeline.stop();
});

function endpoint(overrides: Partial<OpcUaEndpointOptions> = {}): OpcUaEndpointOptions {
  return {
    endpointUrl: server.endpointUrl,
    ...USER,
    publishingIntervalMs: 50,
    samplingIntervalMs: 0,
    nodes: [{ nodeId: "ns=1;s=UNIT001.temperature", unit: "UNIT001", sensor: "temperature" }],
    ...overrides,
  };
}

async function connect(e: OpcUaEndpointOptions) {
  pipeline = await startPipeline();
  connector = new OpcUaConnector({
    endpoints: [e],
    gateway: pipeline.gateway,
    log: silentLog,
    pkiDir: CLIENT_PKI,
    acceptUnknownServerCertificates: true,
    reconnect: { minMs: 50, maxMs: 200 },
  });
  const [status] = await connector.start();
  return status!;
}

describe("OPC UA connector: readings", () => {
  it("delivers a value change to the sensor actor with scale and offset applied (tenths of kelvin to °C)", async () => {
    server.setValue("UNIT001", "temperature_raw", 2981.5, "GOOD");
    const status = await connect(
      endpoint({ nodes: [{ nodeId: "ns=1;s=UNIT001.temperature_raw", unit: "UNIT001", sensor: "temperature", scale: 0.1, offset: -273.15 }] }),
    );
    expect(status.state).toBe("connected");
    const initial = await pipeline.sensor.next((r) => r.unit === "UNIT001" && r.sensor === "temperature");
    expect(initial.value).toBeCloseTo(25, 9);

    // The reading's instant is the value's source timestamp, not when it arrived.
    const measuredAt = Date.now() - 2000;
    server.setValue("UNIT001", "temperature_raw", 3031.5, "GOOD", measuredAt);
    const changed = await pipeline.sensor.next((r) => r.sensor === "temperature" && Math.abs(r.value - 30) < 1e-9);
    expect(changed).toMatchObject({ unit: "UNIT001", quality: "GOOD", source: "opcua", ts: measuredAt });
  });

  it.each([
    { quality: "UNCERTAIN", value: 21.5 },
    { quality: "BAD", value: 22.5 },
    { quality: "GOOD", value: 23.5 },
  ] as const)("maps an OPC UA status code of severity $quality to reading quality $quality", async ({ quality, value }) => {
    server.setValue("UNIT002", "pressure", 1, "GOOD");
    await connect(endpoint({ nodes: [{ nodeId: "ns=1;s=UNIT002.pressure", unit: "UNIT002", sensor: "pressure" }] }));
    await pipeline.sensor.next((r) => r.value === 1);
    server.setValue("UNIT002", "pressure", value, quality);
    const reading = await pipeline.sensor.next((r) => r.value === value);
    expect(reading.quality).toBe(quality);
  });

  it("rejects a non-numeric node as not_a_number, counts it, and keeps delivering the numeric ones", async () => {
    server.setValue("UNIT001", "pressure", 4.2, "GOOD");
    await connect(
      endpoint({
        nodes: [
          { nodeId: "ns=1;s=UNIT001.status", unit: "UNIT001", sensor: "status" },
          { nodeId: "ns=1;s=UNIT001.pressure", unit: "UNIT001", sensor: "pressure" },
        ],
      }),
    );
    const initial = await pipeline.nextRejection((a) => a.raw.sensor === "status");
    expect(initial.result).toMatchObject({ reason: "not_a_number" });
    expect(initial.raw.value).toBe("online");

    server.setStatus("UNIT001", "maintenance");
    await pipeline.nextRejection((a) => a.raw.value === "maintenance");
    expect(pipeline.counters.rejectedCount("opcua", "not_a_number")).toBe(2);
    server.setValue("UNIT001", "pressure", 4.3, "GOOD");
    await pipeline.sensor.next((r) => r.sensor === "pressure" && r.value === 4.3);
    expect(pipeline.sensor.readings.filter((r) => r.sensor === "status")).toEqual([]);
    server.setStatus("UNIT001", "online");
  });

  it("reports a mapped node the server does not have as a bad node, and monitors the rest", async () => {
    const status = await connect(
      endpoint({
        nodes: [
          { nodeId: "ns=1;s=UNIT009.temperature", unit: "UNIT009", sensor: "temperature" },
          { nodeId: "ns=1;s=UNIT001.temperature", unit: "UNIT001", sensor: "temperature" },
        ],
      }),
    );
    expect(status).toMatchObject({ state: "connected", monitoredNodes: 1 });
    expect(status.badNodes).toEqual([{ nodeId: "ns=1;s=UNIT009.temperature", unit: "UNIT009", sensor: "temperature", reason: "BadNodeIdUnknown" }]);
  });
});

describe("OPC UA connector: browse and read", () => {
  it("browses the plant folder to its units, and a unit to its sensors and status", async () => {
    await connect(endpoint());
    const objects = await connector!.browse();
    expect(objects).toContainEqual({ nodeId: "ns=1;s=Plant", browseName: "Plant", displayName: "Plant", nodeClass: "Object" });
    const units = await connector!.browse("ns=1;s=Plant");
    expect(units.map((u) => u.browseName).sort()).toEqual(["UNIT001", "UNIT002"]);
    const unit = await connector!.browse("ns=1;s=UNIT001");
    expect(unit.map((n) => [n.nodeId, n.browseName, n.nodeClass]).sort()).toEqual([
      ["ns=1;s=UNIT001.pressure", "pressure", "Variable"],
      ["ns=1;s=UNIT001.status", "status", "Variable"],
      ["ns=1;s=UNIT001.temperature", "temperature", "Variable"],
      ["ns=1;s=UNIT001.temperature_raw", "temperature_raw", "Variable"],
    ]);
  });

  it("reads a node's current value, quality and source timestamp", async () => {
    const ts = Date.now() - 5000;
    server.setValue("UNIT002", "temperature", 19.25, "UNCERTAIN", ts);
    await connect(endpoint());
    expect(await connector!.read("ns=1;s=UNIT002.temperature")).toEqual({
      nodeId: "ns=1;s=UNIT002.temperature",
      value: 19.25,
      quality: "UNCERTAIN",
      status: "Uncertain",
      sourceTimestamp: ts,
    });
  });

  it("answers browse and read of an unknown or malformed node id with VIGIL_OPCUA_BAD_NODE", async () => {
    await connect(endpoint());
    await expect(connector!.read("ns=1;s=UNIT404.temperature")).rejects.toMatchObject({ code: "VIGIL_OPCUA_BAD_NODE" });
    await expect(connector!.browse("ns=1;s=UNIT404")).rejects.toMatchObject({ code: "VIGIL_OPCUA_BAD_NODE" });
    await expect(connector!.read("not a node id")).rejects.toMatchObject({ code: "VIGIL_OPCUA_BAD_NODE" });
  });

  it("answers for an endpoint name it does not know with VIGIL_OPCUA_UNKNOWN_ENDPOINT", async () => {
    await connect(endpoint({ name: "press-line" }));
    await expect(connector!.read("ns=1;s=UNIT001.temperature", "paint-line")).rejects.toMatchObject({ code: "VIGIL_OPCUA_UNKNOWN_ENDPOINT" });
    expect((await connector!.read("ns=1;s=UNIT001.status", "press-line")).value).toBe("online");
  });
});

describe("OPC UA connector: sign-in and security", () => {
  it("signs in with username and password", async () => {
    const status = await connect(endpoint());
    expect(status).toMatchObject({ state: "connected", error: undefined, monitoredNodes: 1 });
  });

  it("is refused with VIGIL_OPCUA_ACCESS_DENIED for a wrong password, stays disconnected, and never shows the password", async () => {
    const status = await connect(endpoint({ password: "wrong-password-123" }));
    expect(status.state).toBe("disconnected");
    expect(status.error?.code).toBe("VIGIL_OPCUA_ACCESS_DENIED");
    expect(status.error?.message).toMatch(/refused the session's credentials/);
    expect(JSON.stringify(connector!.status())).not.toContain("wrong-password-123");
    await expect(connector!.read("ns=1;s=UNIT001.temperature")).rejects.toMatchObject({ code: "VIGIL_OPCUA_NOT_CONNECTED" });
  });

  it("is refused with VIGIL_OPCUA_ACCESS_DENIED when signing in anonymously to a server that wants a user", async () => {
    const status = await connect(endpoint({ username: undefined, password: undefined }));
    expect(status).toMatchObject({ state: "disconnected", error: { code: "VIGIL_OPCUA_ACCESS_DENIED" } });
  });

  it.each([
    ["SignAndEncrypt", "Basic256Sha256"],
    ["Sign", "Aes128_Sha256_RsaOaep"],
    ["SignAndEncrypt", "Aes128_Sha256_RsaOaep"],
  ] as const)("connects with security mode %s and policy %s, and values flow", async (securityMode, securityPolicy) => {
    server.setValue("UNIT001", "temperature", 42.5, "GOOD");
    const status = await connect(endpoint({ securityMode, securityPolicy }));
    expect(status.state).toBe("connected");
    await pipeline.sensor.next((r) => r.sensor === "temperature" && r.value === 42.5);
  });

  it("is refused with VIGIL_OPCUA_SECURITY_REJECTED for a security policy the server does not offer", async () => {
    const status = await connect(endpoint({ securityMode: "SignAndEncrypt", securityPolicy: "Aes256_Sha256_RsaPss" }));
    expect(status).toMatchObject({ state: "disconnected", error: { code: "VIGIL_OPCUA_SECURITY_REJECTED" } });
  });

  it("is refused with VIGIL_OPCUA_CERTIFICATE_REJECTED by a secured endpoint whose certificate it does not trust", async () => {
    pipeline = await startPipeline();
    connector = new OpcUaConnector({
      endpoints: [endpoint({ securityMode: "SignAndEncrypt", securityPolicy: "Basic256Sha256" })],
      gateway: pipeline.gateway,
      log: silentLog,
      pkiDir: STRICT_CLIENT_PKI,
      acceptUnknownServerCertificates: false,
    });
    const [status] = await connector.start();
    expect(status).toMatchObject({ state: "disconnected", error: { code: "VIGIL_OPCUA_CERTIFICATE_REJECTED" } });
    expect(status?.error?.message).toContain(`${STRICT_CLIENT_PKI}/rejected`);
  });

  it("is told when it reaches state connected through onStatus", async () => {
    pipeline = await startPipeline();
    connector = new OpcUaConnector({ endpoints: [endpoint()], gateway: pipeline.gateway, log: silentLog, pkiDir: CLIENT_PKI, acceptUnknownServerCertificates: true });
    const reached = endpointReaches(connector, "connected");
    void connector.start();
    expect((await reached).endpoint).toBe(server.endpointUrl);
  });
});
