/**
 * The MQTT connector against a real Mosquitto: every payload format and
 * mapping, and every kind of bad input in DESIGN.md "Bad input", each
 * counted under its reason for source "mqtt" while good readings keep
 * flowing. One device publishes at QoS 1 and the connector handles one
 * message at a time, so once a good "marker" reading published last has
 * reached its actor, every message before it has been handled.
 */
import type { MqttClient } from "mqtt";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTopic, MqttConnector } from "../../../../src/actors/connectors/index.js";
import type { RejectionReason } from "../../../../src/actors/readings/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { isoAgo, startRig, within, type Rig } from "../rig.js";
import { connectDevice, mqttSettings } from "./mqtt-rig.js";

const KNOWN_UNITS = ["UNIT001", "UNIT002", "PV01", "S1-PV02", "L1_M1"];

let broker: ServerHandle;
let rig: Rig;
let connector: MqttConnector;
let device: MqttClient;
let markers = 0;

beforeAll(async () => {
  broker = await startMosquitto();
  rig = await startRig({ limits: { knownUnits: new Set(KNOWN_UNITS) } });
  connector = new MqttConnector({
    settings: mqttSettings(broker.url, {
      topics: [
        { topic: "scada/{unit}/{sensor}", payload: "reading" },
        { topic: "solar/{device}/data", payload: "fields", unit: "{device}" },
        {
          topic: "plant/{site}/{device}/telemetry",
          payload: "fields",
          unit: "{site}-{device}",
          fields: { ghi: "irradiance", temperature: "ambient_temperature" },
          timestampField: "ts",
        },
        { topic: "factory/{line}/{machine}/temp", payload: "reading", unit: "{line}_{machine}", sensor: "temperature", qos: 0 },
      ],
    }),
    gateway: rig.gateway,
    log: silentLog,
    registry: new Registry(),
  });
  await within("the connector to subscribe", connector.ready());
  device = await connectDevice(broker.url);
});

afterAll(async () => {
  await device?.endAsync();
  await connector?.stop();
  await rig?.stop();
  await stopAllServers();
});

function publish(topic: string, payload: string | Buffer): Promise<unknown> {
  return device.publishAsync(topic, payload, { qos: 1 });
}

/** Publishes a good reading after everything sent so far and waits until it reaches its actor. */
async function marker(): Promise<void> {
  const value = ++markers;
  await publish("scada/UNIT002/marker", String(value));
  await rig.sensors.until(`marker ${value}`, () => rig.sensors.of("UNIT002", "marker").some((r) => r.value === value));
}

/** Publishes each bad message, then a marker; returns the rejections counted meanwhile, by reason. */
async function rejectionsFor(messages: [topic: string, payload: string | Buffer][]): Promise<Partial<Record<RejectionReason, number>>> {
  const before = { ...rig.counters.snapshot().rejected.mqtt };
  for (const [topic, payload] of messages) await publish(topic, payload);
  await marker();
  const after = rig.counters.snapshot().rejected.mqtt ?? {};
  const delta: Partial<Record<RejectionReason, number>> = {};
  for (const [reason, n] of Object.entries(after) as [RejectionReason, number][]) {
    const d = n - (before[reason] ?? 0);
    if (d > 0) delta[reason] = d;
  }
  return delta;
}

describe("MQTT payloads and mappings", () => {
  it("turns a JSON reading on scada/{unit}/{sensor} into a reading of that unit and sensor", async () => {
    const timestamp = isoAgo(60_000);
    await publish("scada/UNIT001/temperature", JSON.stringify({ value: 25.5, quality: "GOOD", timestamp }));
    await rig.sensors.until("the temperature reading", () => rig.sensors.of("UNIT001", "temperature").length === 1);
    expect(rig.sensors.of("UNIT001", "temperature")[0]).toMatchObject({ unit: "UNIT001", sensor: "temperature", value: 25.5, quality: "GOOD", ts: Date.parse(timestamp), source: "mqtt" });
  });

  it("takes a bare number as the value, of GOOD quality, stamped on arrival", async () => {
    const before = Date.now();
    await publish("scada/UNIT001/pressure", "4.2");
    await rig.sensors.until("the pressure reading", () => rig.sensors.of("UNIT001", "pressure").length === 1);
    const reading = rig.sensors.of("UNIT001", "pressure")[0];
    expect(reading).toMatchObject({ value: 4.2, quality: "GOOD" });
    expect(reading?.ts).toBeGreaterThanOrEqual(before);
  });

  it("expands a multi-field device payload into one reading per numeric field, all of the device's unit and time", async () => {
    const timestamp = isoAgo(1_000);
    await publish("solar/PV01/data", JSON.stringify({ ghi: 500, temperature: 25, firmware: "1.2.0", timestamp }));
    await marker();
    const pv = rig.sensors.readings.filter((r) => r.unit === "PV01");
    expect(pv.map((r) => [r.sensor, r.value, r.ts])).toEqual([
      ["ghi", 500, Date.parse(timestamp)],
      ["temperature", 25, Date.parse(timestamp)],
    ]);
  });

  it("keeps only a mapping's allowed fields, renamed, with the unit built from several topic levels", async () => {
    const ts = isoAgo(2_000);
    await publish("plant/S1/PV02/telemetry", JSON.stringify({ ghi: 610, temperature: 31, wind: 4, ts }));
    await marker();
    const unit = rig.sensors.readings.filter((r) => r.unit === "S1-PV02");
    expect(unit.map((r) => [r.sensor, r.value, r.ts])).toEqual([
      ["irradiance", 610, Date.parse(ts)],
      ["ambient_temperature", 31, Date.parse(ts)],
    ]);
  });

  it("reads a custom pattern from config at QoS 0, with a literal sensor id", async () => {
    await device.publishAsync("factory/L1/M1/temp", "80.5", { qos: 0 });
    await rig.sensors.until("the machine temperature", () => rig.sensors.of("L1_M1", "temperature").length === 1);
    expect(rig.sensors.of("L1_M1", "temperature")[0]?.value).toBe(80.5);
  });

  it("speaks MQTT 3.1.1 as well as MQTT 5", async () => {
    const v4 = new MqttConnector({ settings: mqttSettings(broker.url, { protocolVersion: 4, topics: [{ topic: "legacy/{unit}/{sensor}", payload: "reading" }] }), gateway: rig.gateway, log: silentLog });
    try {
      await within("the MQTT 3.1.1 connector to subscribe", v4.ready());
      await publish("legacy/UNIT001/flow_rate", "120");
      await rig.sensors.until("the flow reading", () => rig.sensors.of("UNIT001", "flow_rate").length === 1);
    } finally {
      await v4.stop();
    }
  });

  it("publishes results back to a topic built from a pattern", async () => {
    const listener = await connectDevice(broker.url);
    try {
      await listener.subscribeAsync("solar/+/forecast", { qos: 1 });
      const received = new Promise<[string, string]>((resolve) => listener.on("message", (topic, payload) => resolve([topic, payload.toString()])));
      await connector.publish(formatTopic("solar/{device}/forecast", { device: "PV01" }), JSON.stringify({ ghi: [510, 520] }), { qos: 1 });
      expect(await within("the forecast", received)).toEqual(["solar/PV01/forecast", '{"ghi":[510,520]}']);
    } finally {
      await listener.endAsync();
    }
  });

  it("refuses to publish to wildcards or to a pattern with a missing value", async () => {
    await expect(connector.publish("solar/+/forecast", "x")).rejects.toMatchObject({ code: "VIGIL_MQTT_TOPIC_INVALID" });
    expect(() => formatTopic("solar/{device}/forecast", {})).toThrow(expect.objectContaining({ code: "VIGIL_MQTT_TOPIC_INVALID" }));
    expect(() => formatTopic("solar/{device}/forecast", { device: "a/b" })).toThrow(expect.objectContaining({ code: "VIGIL_MQTT_TOPIC_INVALID" }));
  });
});

describe("MQTT bad input", () => {
  it("rejects NaN and Infinity, as words or as strings, as not_a_number; NaN inside JSON is not JSON", async () => {
    expect(
      await rejectionsFor([
        ["scada/UNIT001/temperature", "NaN"],
        ["scada/UNIT001/temperature", "-Infinity"],
        ["scada/UNIT001/temperature", '{"value": "NaN"}'],
        ["scada/UNIT001/temperature", '{"value": "Infinity"}'],
        ["scada/UNIT001/temperature", '{"value": NaN}'],
      ]),
    ).toEqual({ not_a_number: 4, malformed_payload: 1 });
  });

  it("rejects wrong types: values that are not numbers, unknown qualities, arrays, non-objects and non-UTF-8", async () => {
    expect(
      await rejectionsFor([
        ["scada/UNIT001/temperature", '{"value": true}'],
        ["scada/UNIT001/temperature", '{"value": "hot"}'],
        ["scada/UNIT001/temperature", '{"value": null}'],
        ["scada/UNIT001/temperature", '{"temp": 21}'],
        ["scada/UNIT001/temperature", '"25.5"'],
        ["scada/UNIT001/temperature", '{"value": 1, "quality": "EXCELLENT"}'],
        ["scada/UNIT001/temperature", "[1, 2]"],
        ["scada/UNIT001/temperature", "twenty"],
        ["scada/UNIT001/temperature", Buffer.from([0xff, 0xfe, 0x31])],
        ["plant/S1/PV02/telemetry", '{"ghi": "high"}'],
        ["solar/PV01/data", "42"],
        ["solar/PV01/data", '{"firmware": "1.2.0"}'],
      ]),
    ).toEqual({ not_a_number: 6, invalid_quality: 1, malformed_payload: 5 });
  });

  it("rejects a payload over the size limit (64 KiB) as payload_too_large", async () => {
    const limit = mqttSettings(broker.url).maxPayloadBytes;
    expect(limit).toBe(64 * 1024);
    expect(
      await rejectionsFor([
        ["scada/UNIT001/temperature", JSON.stringify({ value: 1, note: "x".repeat(limit) })],
        ["scada/UNIT001/temperature", Buffer.alloc(limit + 1, 0x31)],
      ]),
    ).toEqual({ payload_too_large: 2 });
  });

  it("rejects timestamps far in the future or the past, or not dates at all", async () => {
    expect(
      await rejectionsFor([
        ["scada/UNIT001/temperature", JSON.stringify({ value: 1, timestamp: "2100-01-01T00:00:00Z" })],
        ["scada/UNIT001/temperature", JSON.stringify({ value: 1, timestamp: "2000-01-01T00:00:00Z" })],
        ["scada/UNIT001/temperature", JSON.stringify({ value: 1, timestamp: "yesterday" })],
        // Two fields, two readings, two rejections.
        ["solar/PV01/data", JSON.stringify({ ghi: 1, temperature: 2, timestamp: "2100-01-01T00:00:00Z" })],
      ]),
    ).toEqual({ timestamp_out_of_range: 5 });
  });

  it("rejects topics with an empty id level as malformed_topic, and ids that are not plain as invalid_id", async () => {
    expect(
      await rejectionsFor([
        ["scada//temperature", "1"],
        ["scada/UNIT001/", "1"],
        ["scada/UNIT 1/temperature", "1"],
        ["scada/UNIT001/temp.erature", "1"],
        [`scada/${"U".repeat(65)}/temperature`, "1"],
      ]),
    ).toEqual({ malformed_topic: 2, invalid_id: 3 });
  });

  it("rejects readings of units outside the configured allow-list as unknown_unit", async () => {
    expect(await rejectionsFor([["scada/UNIT999/temperature", "1"], ["solar/PV99/data", '{"ghi": 1}']])).toEqual({ unknown_unit: 2 });
  });

  it("lets good readings through between bad ones, and loses none of them", async () => {
    const sent: number[] = [];
    for (let i = 0; i < 20; i++) {
      await publish("scada/UNIT001/vibration", i % 2 === 0 ? String(i) : "garbage");
      if (i % 2 === 0) sent.push(i);
    }
    await marker();
    expect(rig.sensors.of("UNIT001", "vibration").map((r) => r.value)).toEqual(sent);
  });
});
