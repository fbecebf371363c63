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

function config(change: { mqtt?: Partial<VigilConfig["mqtt"]>; nats?: Partial<VigilConfig["ingest"]["nats"]> }): Pick<VigilConfig, "mqtt" | "ingest" | "cluster"> {
  return {
    cluster: defaults.cluster,
    mqtt: { ...mqttSettings(broker.url), enabled: false, ...change.mqtt },
    ingest: { ...defaults.ingest, nats: { ...defaults.ingest.nats, ...change.nats } },
  };
}

describe("startIngestConnectors", () => {
  it("starts what the config enables, and each one ingests", async () => {
    const rig = await startRig();
    const transport = createInProcessTransport();
    const connectors = await startIngestConnectors({ config: config({ mqtt: { enabled: true } }), gateway: rig.gateway, transport, log: silentLog });
    const device = await connectDevice(broker.url);
    try {
      await within("the MQTT connector to subscribe", connectors.mqtt?.ready() ?? Promise.reject(new Error("no MQTT connector")));
      await device.publishAsync("scada/UNIT001/temperature", "1", { qos: 1 });
      transport.publish(SUBJECTS.ingestReading("UNIT001", "pressure"), new TextEncoder().encode("2"));
      await rig.sensors.until("one reading from each connector", (all) => all.length === 2);
      expect(new Set(rig.sensors.readings.map((r) => r.source))).toEqual(new Set(["mqtt", "nats"]));
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
    await connectors.stop();
    await transport.close();
    await rig.stop();
  });

  it("stops what it started when a later connector cannot start", async () => {
    const rig = await startRig();
    const transport = createInProcessTransport();
    await transport.close(); // NATS ingest cannot subscribe on a closed transport; MQTT started before it
    await expect(startIngestConnectors({ config: config({ mqtt: { enabled: true } }), gateway: rig.gateway, transport, log: silentLog })).rejects.toMatchObject({
      code: "VIGIL_TRANSPORT_CLOSED",
    });
    await rig.stop();
  });

});

describe("readingLimits", () => {
  it("takes the gateway's limits from the ingest config; an empty unit list lets every unit in", () => {
    expect(readingLimits(defaults.ingest)).toEqual({ maxFutureMs: 5 * 60 * 1000, maxAgeMs: 7 * 24 * 60 * 60 * 1000 });
    expect(readingLimits({ ...defaults.ingest, knownUnits: ["UNIT001"] }).knownUnits).toEqual(new Set(["UNIT001"]));
  });
});
