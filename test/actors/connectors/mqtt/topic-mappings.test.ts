/**
 * MQTT topic mappings as configuration: what the config schema accepts and
 * how it explains what it refuses, and how a pattern becomes a subscription
 * filter and matches topics back to placeholder values.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRoute, findRoute } from "../../../../src/actors/connectors/index.js";
import { ConfigInvalidError, loadConfig, topicMappingSchema } from "../../../../src/config/index.js";
import { SOLAR_PAYLOAD_FIELDS } from "../../../../src/actors/simulator/index.js";

/** Loads a config file holding `topics`; the file is removed afterwards. */
function configWithTopics(topics: unknown[]): () => unknown {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-topics-"));
    const file = join(dir, "vigil.json");
    writeFileSync(file, JSON.stringify({ mqtt: { topics } }));
    try {
      return loadConfig({ file, env: {} });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function problems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err.issues.map((i) => `${i.path}: ${i.problem}`);
    throw err;
  }
  return [];
}

describe("MQTT topic mappings in the config", () => {
  it("defaults to scada/{unit}/{sensor} with single-reading payloads at QoS 1, and solar/{device}/data with the solar devices' fields", () => {
    expect(loadConfig({ env: {} }).mqtt.topics).toEqual([
      { topic: "scada/{unit}/{sensor}", qos: 1, payload: "reading", unit: "{unit}", sensor: "{sensor}" },
      {
        topic: "solar/{device}/data",
        qos: 1,
        payload: "fields",
        unit: "{device}",
        fields: { ghi: "ghi", temperature: "module_temperature", power: "ac_power" },
        timestampField: "timestamp",
        qualityField: "quality",
      },
    ]);
  });

  it("maps the simulator's solar payload fields to its solar sensor ids by default", () => {
    const solar = loadConfig({ env: {} }).mqtt.topics.find((t) => t.topic === "solar/{device}/data");
    expect(solar?.payload === "fields" ? solar.fields : undefined).toEqual(Object.fromEntries(Object.entries(SOLAR_PAYLOAD_FIELDS).map(([sensor, field]) => [field, sensor])));
  });

  it("fills a fields mapping's defaults", () => {
    expect(topicMappingSchema.parse({ topic: "solar/{device}/data", payload: "fields", unit: "{device}" })).toEqual({
      topic: "solar/{device}/data",
      qos: 1,
      payload: "fields",
      unit: "{device}",
      fields: {},
      timestampField: "timestamp",
      qualityField: "quality",
    });
  });

  it("names each bad mapping field and says what was expected", () => {
    const found = problems(
      configWithTopics([
        { topic: "scada/{unit}/x{y}", payload: "reading" },
        { topic: "plant/{device}/temp", payload: "reading" },
        { topic: "solar/{device}/data", payload: "fields", unit: "{device}", fields: { ghi: "{nope}" } },
        { topic: "a/#/b", payload: "reading" },
        { topic: "scada/{unit}/{sensor}", payload: "blob" },
        { topic: "scada/{unit}/{sensor}", payload: "reading", qos: 2 },
      ]),
    );
    expect(found).toEqual([
      expect.stringMatching(/^mqtt\.topics\[0\]\.topic: expected a topic pattern .*a placeholder is a whole level/),
      expect.stringMatching(/^mqtt\.topics\[1\]\.unit: expected an id template built from the topic's placeholders \(\{device\}\); "\{unit\}" uses \{unit\}/),
      expect.stringMatching(/^mqtt\.topics\[1\]\.sensor: /),
      expect.stringMatching(/^mqtt\.topics\[2\]\.fields\.ghi: .*\{nope\}/),
      expect.stringMatching(/^mqtt\.topics\[3\]\.topic: .*# must be the last level/),
      expect.stringMatching(/^mqtt\.topics\[4\]\.payload: expected a mapping whose "payload" is "reading" or "fields"/),
      expect.stringMatching(/^mqtt\.topics\[5\]\.qos: expected QoS 0 or 1, got 2/),
    ]);
  });

  it("keeps mappings out of environment variables: they are set in the config file", () => {
    expect(problems(() => loadConfig({ env: { VIGIL_MQTT_TOPICS: "scada/+/+" } }))).toEqual([expect.stringMatching(/^VIGIL_MQTT_TOPICS: not a Vigil setting/)]);
  });
});

describe("MQTT topic routes", () => {
  const route = (topic: string, extra: Record<string, unknown> = {}) => compileRoute(topicMappingSchema.parse({ topic, payload: "reading", ...extra }));

  it("subscribes with + for placeholders and any-level wildcards, # for the rest", () => {
    expect(route("scada/{unit}/{sensor}").filter).toBe("scada/+/+");
    expect(route("site/+/{unit}/{sensor}/#").filter).toBe("site/+/+/+/#");
  });

  it("matches a topic back to its placeholder values, and refuses empty levels and other shapes", () => {
    const r = route("site/+/{unit}/{sensor}/#");
    expect(r.match("site/north/UNIT001/temperature")).toEqual({ unit: "UNIT001", sensor: "temperature" });
    expect(r.match("site/north/UNIT001/temperature/raw/v2")).toEqual({ unit: "UNIT001", sensor: "temperature" });
    expect(r.match("site/north//temperature")).toBeUndefined();
    expect(r.match("site/north/UNIT001")).toBeUndefined();
    expect(r.match("other/north/UNIT001/temperature")).toBeUndefined();
  });

  it("takes the first mapping that fits a topic", () => {
    const routes = [route("scada/{unit}/status", { sensor: "status" }), route("scada/{unit}/{sensor}")];
    expect(findRoute(routes, "scada/UNIT001/status")?.route.pattern).toBe("scada/{unit}/status");
    expect(findRoute(routes, "scada/UNIT001/pressure")?.placeholders).toEqual({ unit: "UNIT001", sensor: "pressure" });
    expect(findRoute(routes, "plant/UNIT001/pressure")).toBeUndefined();
  });
});
