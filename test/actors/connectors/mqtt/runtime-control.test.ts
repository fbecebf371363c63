/**
 * The MQTT connector driven at run time (what the control API does) against
 * a real Mosquitto: disconnect keeps the session and stays away, connect
 * resumes and collects what waited at the broker, subscribe adds a topic
 * mapping on the live connection or for the next one.
 */
import { describe, expect, it } from "vitest";
import { within } from "../rig.js";
import { mqttSettings, mqttSpecRig } from "./mqtt-rig.js";

const spec = mqttSpecRig();
const { rig, connector, device } = spec;

describe("disconnect and connect at run time", () => {
  it("pauses on disconnect, and on connect collects the QoS 1 readings the broker kept meanwhile", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    const paused = await c.disconnect();
    expect(paused.state).toBe("paused");

    const d = await device();
    await d.publishAsync("scada/UNIT001/temperature", "21.5", { qos: 1 });
    await d.publishAsync("scada/UNIT001/temperature", "21.6", { qos: 1 });
    expect(c.status().state).toBe("paused");
    expect(r.sensors.readings).toHaveLength(0);

    const back = await c.connect();
    expect(back).toMatchObject({ state: "connected", connects: 2, sessionResumed: true });
    await r.sensors.until("both kept readings", (all) => all.length === 2);
    expect(r.sensors.readings.map((x) => x.value)).toEqual([21.5, 21.6]);
  });

  it("refuses a publish-back while paused rather than queue it", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    await c.disconnect();
    await expect(c.publish("results/UNIT001", "{}", { qos: 1 })).rejects.toMatchObject({ code: "VIGIL_MQTT_NOT_CONNECTED" });
  });

  it("changes nothing when connect is asked of a connected connector", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    expect(await c.connect()).toMatchObject({ state: "connected", connects: 1 });
  });

  it("stops cleanly while paused, and refuses to connect afterwards", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    await c.disconnect();
    await c.stop();
    expect(c.status().state).toBe("stopped");
    await expect(c.connect()).rejects.toMatchObject({ code: "VIGIL_MQTT_NOT_CONNECTED" });
  });
});

describe("subscribe at run time", () => {
  it("adds a topic mapping on the live connection: readings on it arrive", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    const before = c.status().topics;
    const status = await c.subscribe({ topic: "plant/{site}/{unit}/{sensor}", qos: 1, payload: "reading", unit: "{unit}", sensor: "{sensor}" });
    expect(status.topics).toEqual([...before, "plant/{site}/{unit}/{sensor}"]);

    const d = await device();
    await d.publishAsync("plant/north/UNIT007/pressure", "4.2", { qos: 1 });
    await r.sensors.until("the reading on the new topic", (all) => all.length === 1);
    expect(r.sensors.readings[0]).toMatchObject({ unit: "UNIT007", sensor: "pressure", value: 4.2 });
  });

  it("subscribes a mapping added while paused once connected again", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    await c.disconnect();
    await c.subscribe({ topic: "pv/{device}/data", qos: 1, payload: "fields", unit: "{device}", fields: { ghi: "ghi" }, timestampField: "timestamp", qualityField: "quality" });
    await c.connect();
    const d = await device();
    await d.publishAsync("pv/PV01/data", JSON.stringify({ ghi: 640 }), { qos: 1 });
    await r.sensors.until("the solar reading", (all) => all.length === 1);
    expect(r.sensors.readings[0]).toMatchObject({ unit: "PV01", sensor: "ghi", value: 640 });
  });

  it("routes a topic seen before by the mappings left once the one it fitted is removed", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await within("the connector to subscribe", c.ready());
    // Both fit plant/UNIT007/pressure; the first added is the one that takes it while it is mapped.
    await c.subscribe({ topic: "plant/{unit}/{sensor}", qos: 1, payload: "reading", unit: "{unit}", sensor: "{sensor}" });
    await c.subscribe({ topic: "plant/{area}/{sensor}", qos: 1, payload: "reading", unit: "AREA-{area}", sensor: "{sensor}" });
    const d = await device();
    await d.publishAsync("plant/UNIT007/pressure", "4.2", { qos: 1 });
    await r.sensors.until("the reading of the first mapping", (all) => all.length === 1);

    await c.unsubscribe("plant/{unit}/{sensor}");
    await d.publishAsync("plant/UNIT007/pressure", "4.3", { qos: 1 });
    await r.sensors.until("the reading of the mapping left", (all) => all.length === 2);
    expect(r.sensors.readings.map((x) => [x.unit, x.value])).toEqual([
      ["UNIT007", 4.2],
      ["AREA-UNIT007", 4.3],
    ]);
  });

  it("refuses a pattern that is mapped already", async () => {
    const r = await rig();
    const c = connector(mqttSettings(spec.broker.url), r);
    await expect(c.subscribe({ topic: "scada/{unit}/{sensor}", qos: 0, payload: "reading", unit: "{unit}", sensor: "{sensor}" })).rejects.toMatchObject({
      code: "VIGIL_MQTT_TOPIC_EXISTS",
    });
  });
});
