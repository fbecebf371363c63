import os from "node:os";
import { describe, expect, it } from "vitest";
import { formatFigure } from "../../bench/report.js";

describe("bench figures", () => {
  it("are one JSON line carrying the number of cores", () => {
    const line = formatFigure({ suite: "pipeline", metric: "mqtt_readings_per_s", value: 91234, unit: "1/s" });
    expect(line).toBe(`{"suite":"pipeline","metric":"mqtt_readings_per_s","value":91234,"unit":"1/s","cores":${os.availableParallelism()}}`);
  });

  it("carry the baseline, its value and the ratio to three significant digits when compared", () => {
    const line = formatFigure({ suite: "s", metric: "m", value: 91234, unit: "1/s", baseline: "plain", baseline_value: 45000 });
    expect(JSON.parse(line)).toMatchObject({ baseline: "plain", baseline_value: 45000, ratio: 2.03 });
  });

  it("refuse a value that is not a finite number", () => {
    expect(() => formatFigure({ suite: "s", metric: "m", value: Number.NaN, unit: "ms" })).toThrow(/value is NaN/);
  });
});
