/**
 * The `opcua` config section: endpoints come from the config file with their
 * defaults filled, bad ones stop the node at start naming the field, scalar
 * settings also come from VIGIL_OPCUA_* variables, and the validated section
 * is what the connector takes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigInvalidError, loadConfig } from "../../../../src/config/index.js";
import { OpcUaConnector, type OpcUaConnectorOptions } from "../../../../src/actors/connectors/opcua/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { startPipeline } from "./pipeline.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-opcua-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function fileWith(opcua: unknown): string {
  const file = path.join(dir, `config-${files++}.json`);
  writeFileSync(file, JSON.stringify({ opcua }));
  return file;
}

function problems(opcua: unknown): string[] {
  try {
    loadConfig({ file: fileWith(opcua), env: {} });
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err.issues.map((i) => `${i.path}: ${i.problem}`);
    throw err;
  }
  throw new Error("expected the config to be refused");
}

const plc = { endpointUrl: "opc.tcp://plc-7.plant.local:4840", nodes: [{ nodeId: "ns=3;i=1042", unit: "UNIT007", sensor: "temperature" }] };

describe("the opcua config section", () => {
  it("fills an endpoint's and its node mappings' defaults", () => {
    const config = loadConfig({ file: fileWith({ endpoints: [plc] }), env: {} });
    expect(config.opcua.endpoints).toEqual([
      {
        endpointUrl: "opc.tcp://plc-7.plant.local:4840",
        securityMode: "None",
        securityPolicy: "None",
        publishingIntervalMs: 1000,
        samplingIntervalMs: 500,
        nodes: [{ nodeId: "ns=3;i=1042", unit: "UNIT007", sensor: "temperature", scale: 1, offset: 0 }],
      },
    ]);
  });

  it("refuses a security policy that does not go with the security mode, naming the field", () => {
    expect(problems({ endpoints: [{ ...plc, securityMode: "SignAndEncrypt" }] })).toEqual([
      expect.stringMatching(/^opcua\.endpoints\[0\]\.securityPolicy: expected "None" together with securityMode "None"/),
    ]);
  });

  it("refuses a policy Vigil does not speak, a malformed node id, a non-opc.tcp URL and a password without a username", () => {
    const found = problems({
      endpoints: [
        { ...plc, securityMode: "SignAndEncrypt", securityPolicy: "Basic128Rsa15" },
        { ...plc, nodes: [{ nodeId: "UNIT001.temperature", unit: "UNIT001", sensor: "temperature" }] },
        { ...plc, endpointUrl: "http://plc-7:4840" },
        { ...plc, password: "secret" },
      ],
    });
    expect(found.map((p) => p.split(":")[0])).toEqual([
      "opcua.endpoints[0].securityPolicy",
      "opcua.endpoints[1].nodes[0].nodeId",
      "opcua.endpoints[2].endpointUrl",
      "opcua.endpoints[3].username",
    ]);
  });

  it("takes scalar settings from VIGIL_OPCUA_* variables, and endpoints from the file only", () => {
    const config = loadConfig({ env: { VIGIL_OPCUA_PKI_DIR: "/var/lib/vigil/pki", VIGIL_OPCUA_RECONNECT_MAX_MS: "5000", VIGIL_OPCUA_SERVER_PORT: "0" } });
    expect(config.opcua).toMatchObject({ pkiDir: "/var/lib/vigil/pki", reconnect: { maxMs: 5000 }, server: { port: 0 } });
    expect(() => loadConfig({ env: { VIGIL_OPCUA_ENDPOINTS: "opc.tcp://plc:4840" } })).toThrow(/VIGIL_OPCUA_ENDPOINTS: not a Vigil setting/);
  });

  it("a PKI folder that cannot be created stops the connector with VIGIL_CONFIG_INVALID naming opcua.pkiDir", async () => {
    const blocker = path.join(dir, "a-file");
    writeFileSync(blocker, "not a folder");
    const pipeline = await startPipeline();
    expect(() => new OpcUaConnector({ endpoints: [plc], gateway: pipeline.gateway, log: silentLog, pkiDir: path.join(blocker, "pki") })).toThrow(
      expect.objectContaining({ code: "VIGIL_CONFIG_INVALID", message: expect.stringMatching(/^opcua\.pkiDir: cannot use/) as unknown }),
    );
    await pipeline.stop();
  });

  it("is what the connector takes, as it is", async () => {
    const config = loadConfig({ file: fileWith({ endpoints: [plc] }), env: {} });
    const pipeline = await startPipeline();
    const options: OpcUaConnectorOptions = { ...config.opcua, gateway: pipeline.gateway, log: silentLog };
    const connector = new OpcUaConnector(options);
    // Not started: nothing is being connected yet (a cluster node keeps the endpoints it does not hold this way).
    expect(connector.status()).toMatchObject([{ endpoint: plc.endpointUrl, state: "disconnected", monitoredNodes: 0 }]);
    await connector.stop();
    await pipeline.stop();
  });
});
