/**
 * Starting the ingest connectors from a config, as the node does: each
 * enabled one ingests, a disabled one is absent, and stop() stops them all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readingLimits, startIngestConnectors } from "../../../src/actors/connectors/index.js";
import { SUBJECTS } from "../../../src/actors/subjects.js";
import { defaults, type VigilConfig } from "../../../src/config/index.js";
import { createInProcessTransport } from "../../../src/runtime/transport/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../harness/servers.js";
import { connectDevice, mqttSettings } from "./mqtt/mqtt-rig.js";
import { startRig, within } from "./rig.js";

let broker: ServerHandle;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterAll(stopAllServers);

function config(change: { mqtt?: Partial<VigilConfig["mqtt"]>; http?: Partial<VigilConfig["ingest"]["http"]>; nats?: Partial<VigilConfig["ingest"]["nats"]> }): Pick<VigilConfig, "mqtt" | "ingest" | "cluster"> {
  return {
    cluster: defaults.cluster,
    mqtt: { ...mqttSettings(broker.url), enabled: false, ...change.mqtt },
    ingest: { ...defaults.ingest, http: { ...defaults.ingest.http, ...change.http }, nats: { ...defaults.ingest.nats, ...change.nats } },
  };
}

describe("startIngestConnectors", () => {
  it("starts what the config enables, and each one ingests", async () => {
    const rig = await startRig();
    const transport = createInProcessTransport();
    const connectors = await startIngestConnectors({ config: config({ mqtt: { enabled: true }, http: { enabled: true, port: 0 } }), gateway: rig.gateway, transport, log: silentLog });
    const device = await connectDevice(broker.url);
    try {
      await within("the MQTT connector to subscribe", connectors.mqtt?.ready() ?? Promise.reject(new Error("no MQTT connector")));
      await device.publishAsync("scada/UNIT001/temperature", "1", { qos: 1 });
      transport.publish(SUBJECTS.ingestReading("UNIT001", "pressure"), new TextEncoder().encode("2"));
      const res = await fetch(`${connectors.http?.url ?? "http://no-http"}/api/v1/ingest/readings`, { method: "POST", body: JSON.stringify([{ unit: "UNIT001", sensor: "power", value: 3 }]) });
      expect(res.status).toBe(202);
      await rig.sensors.until("one reading from each connector", (all) => all.length === 3);
      expect(new Set(rig.sensors.readings.map((r) => r.source))).toEqual(new Set(["mqtt", "nats", "http"]));
    } finally {
      await device.endAsync();
      await connectors.stop();
      await transport.close();
      await rig.stop();
    }
    expect(connectors.mqtt?.status().state).toBe("stopped");
  });

  it("leaves out what the config disables", async () => {
    const rig = await startRig();
    const transport = createInProcessTransport();
    const connectors = await startIngestConnectors({ config: config({ nats: { enabled: false } }), gateway: rig.gateway, transport, log: silentLog });
    expect(connectors).not.toHaveProperty("mqtt");
    expect(connectors).not.toHaveProperty("nats");
    expect(connectors).not.toHaveProperty("http");
    await connectors.stop();
    await transport.close();
    await rig.stop();
  });

  it("stops what it started when a later connector cannot start", async () => {
    const rig = await startRig();
    const transport = createInProcessTransport();
    const first = await startIngestConnectors({ config: config({ http: { enabled: true, port: 0 } }), gateway: rig.gateway, transport, log: silentLog });
    const port = first.http?.port ?? 0;
    await expect(startIngestConnectors({ config: config({ mqtt: { enabled: true }, http: { enabled: true, port } }), gateway: rig.gateway, transport, log: silentLog })).rejects.toMatchObject({
      code: "VIGIL_INGEST_LISTEN_FAILED",
    });
    await first.stop();
    await transport.close();
    await rig.stop();
  });
});

describe("readingLimits", () => {
  it("takes the gateway's limits from the ingest config; an empty unit list lets every unit in", () => {
    expect(readingLimits(defaults.ingest)).toEqual({ maxFutureMs: 5 * 60 * 1000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 });
    expect(readingLimits({ ...defaults.ingest, knownUnits: ["UNIT001"] }).knownUnits).toEqual(new Set(["UNIT001"]));
  });
});
