/**
 * The OPC UA connector when its server goes away: node-opcua's reconnection
 * (new session, subscription re-created) brings values back after a
 * restart on the same port; an endpoint that is down at start is retried
 * until it appears; stop() does not wait for a server that is gone or
 * never came.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { OpcUaConnector } from "../../../../src/actors/connectors/opcua/index.js";
import { PlantOpcUaServer } from "../../../../src/actors/simulator/opcua-server.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { CLIENT_PKI, SERVER_PKI } from "./pki.js";
import { endpointReaches, startPipeline, type Pipeline } from "./pipeline.js";

let server: PlantOpcUaServer;
let pipeline: Pipeline;
let connector: OpcUaConnector;

beforeEach(async () => {
  server = new PlantOpcUaServer({ pkiDir: SERVER_PKI, units: { UNIT001: ["flow_rate"] }, log: silentLog });
  pipeline = await startPipeline();
});

afterEach(async () => {
  await connector.stop();
  await server.stop();
  await pipeline.stop();
});

function createConnector(): OpcUaConnector {
  return new OpcUaConnector({
    endpoints: [
      {
        endpointUrl: server.endpointUrl,
        publishingIntervalMs: 50,
        samplingIntervalMs: 0,
        nodes: [{ nodeId: "ns=1;s=UNIT001.flow_rate", unit: "UNIT001", sensor: "flow_rate" }],
      },
    ],
    gateway: pipeline.gateway,
    log: silentLog,
    pkiDir: CLIENT_PKI,
    reconnect: { minMs: 50, maxMs: 250 },
  });
}

describe("OPC UA connector across server restarts", () => {
  it("reconnects after the server restarts on the same port, and new values flow again", async () => {
    server.setValue("UNIT001", "flow_rate", 120, "GOOD");
    await server.start();
    const url = server.endpointUrl;
    connector = createConnector();
    expect((await connector.start())[0]?.state).toBe("connected");
    await pipeline.sensor.next((r) => r.value === 120);

    const lost = endpointReaches(connector, "reconnecting");
    await server.stop();
    expect((await lost).error?.code).toBe("VIGIL_OPCUA_NOT_CONNECTED");

    const back = endpointReaches(connector, "connected");
    await server.start();
    expect(server.endpointUrl).toBe(url);
    expect(await back).toMatchObject({ state: "connected", monitoredNodes: 1, error: undefined });

    server.setValue("UNIT001", "flow_rate", 135, "GOOD");
    const after = await pipeline.sensor.next((r) => r.value === 135);
    expect(after).toMatchObject({ unit: "UNIT001", sensor: "flow_rate", quality: "GOOD" });
  });

  it("keeps trying an endpoint that is down at start, and connects once it appears", async () => {
    await server.start(); // to learn a free port, then take the server away
    await server.stop();
    server.setValue("UNIT001", "flow_rate", 88, "GOOD");
    connector = createConnector();
    const [first] = await connector.start();
    expect(first).toMatchObject({ state: "connecting", error: { code: "VIGIL_OPCUA_CONNECT_FAILED" } });

    const up = endpointReaches(connector, "connected");
    await server.start();
    await up;
    await pipeline.sensor.next((r) => r.value === 88);
  });

  it("stops while the endpoint has never been reachable", async () => {
    await server.start();
    await server.stop();
    connector = createConnector();
    expect((await connector.start())[0]?.state).toBe("connecting");
    await connector.stop();
    expect(connector.status()[0]).toMatchObject({ state: "disconnected", monitoredNodes: 0 });
  });

  it("stops while the server is down and the connector is reconnecting", async () => {
    await server.start();
    connector = createConnector();
    await connector.start();
    const lost = endpointReaches(connector, "reconnecting");
    await server.stop();
    await lost;
    await connector.stop();
    expect(connector.status()[0]?.state).toBe("disconnected");
  });
});
