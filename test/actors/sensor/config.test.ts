import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createKinds, kindsConfigOf, resolveSensorTypes } from "../../../src/actors/kinds.js";
import { DEFAULT_SENSOR_SETTINGS, DEFAULT_SENSOR_TYPES, resolveSensorSettings } from "../../../src/actors/sensor/index.js";
import { DEFAULT_UNIT_SETTINGS, resolveUnitSettings } from "../../../src/actors/unit/index.js";
import { ConfigInvalidError, loadConfig } from "../../../src/config/index.js";

describe("the pipeline config section", () => {
  it("defaults to exactly the actors' own defaults", () => {
    const { pipeline } = loadConfig({ env: {} });
    expect(resolveSensorSettings(pipeline.sensor)).toEqual(DEFAULT_SENSOR_SETTINGS);
    expect(resolveUnitSettings(pipeline.unit)).toEqual(DEFAULT_UNIT_SETTINGS);
    expect(resolveSensorTypes(pipeline.sensorTypes)).toEqual(DEFAULT_SENSOR_TYPES);
  });

  it("is the kinds' kindConfig as it is, and survives the trip into a worker", () => {
    const { pipeline } = loadConfig({ env: {} });
    const kinds = createKinds(structuredClone(kindsConfigOf(pipeline)));
    expect(kinds.map((k) => k.name)).toEqual(["sensor", "unit", "alarm", "rulebook"]);
  });

  it("takes window lists from environment variables", () => {
    const { pipeline } = loadConfig({ env: { VIGIL_PIPELINE_SENSOR_WINDOWS_COUNTS: "5, 20", VIGIL_PIPELINE_UNIT_OFFLINE_AFTER_MS: "60000" } });
    expect(pipeline.sensor.windows.counts).toEqual([5, 20]);
    expect(pipeline.unit.offlineAfterMs).toBe(60_000);
  });

  it("refuses a bad window size, naming the setting", () => {
    expect(() => loadConfig({ env: { VIGIL_PIPELINE_SENSOR_WINDOWS_COUNTS: "5,x" } })).toThrow(ConfigInvalidError);
    expect(() => loadConfig({ env: { VIGIL_PIPELINE_SENSOR_WINDOWS_COUNTS: "5,x" } })).toThrow(/pipeline\.sensor\.windows\.counts/);
  });

  it("takes sensor type overrides from the config file, field by field", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vigil-pipeline-"));
    try {
      const file = path.join(dir, "vigil.json");
      writeFileSync(file, JSON.stringify({ pipeline: { sensorTypes: { temperature: { normal: [0, 35] }, humidity: { category: null, normal: [20, 80], limits: [0, 100] } } } }));
      const types = resolveSensorTypes(loadConfig({ file, env: {} }).pipeline.sensorTypes);
      expect(types["temperature"]).toEqual({ ...DEFAULT_SENSOR_TYPES["temperature"], normal: [0, 35] });
      expect(types["humidity"]).toMatchObject({ normal: [20, 80], limits: [0, 100] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
