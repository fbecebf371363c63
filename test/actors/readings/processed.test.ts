import { describe, expect, it } from "vitest";
import { encodeProcessedReading, type ProcessedReading } from "../../../src/actors/readings/index.js";

const base: ProcessedReading = {
  unit: "UNIT001",
  sensor: "temperature",
  ts: 1_700_000_000_123.25,
  value: 21.5,
  quality: "GOOD",
  source: "mqtt",
  anomaly: false,
  score: 0.125,
  severity: null,
  category: null,
  method: "STATISTICAL",
  model_version: null,
  reasons: [],
  receivedAt: 1_700_000_000_124,
  processedAt: 1_700_000_000_125.5,
};

describe("the processed-reading encoder", () => {
  it("writes the same JSON document as JSON.stringify for a normal reading", () => {
    expect(JSON.parse(encodeProcessedReading(base))).toEqual(JSON.parse(JSON.stringify(base)));
  });

  it("writes severity, category, reasons and a model version when present", () => {
    const r: ProcessedReading = { ...base, anomaly: true, score: 1, severity: "CRITICAL", category: "THERMAL", method: "MODEL", model_version: "iforest-3", reasons: ["zscore", "limit_exceeded"] };
    expect(JSON.parse(encodeProcessedReading(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("writes non-finite numbers as null, as JSON.stringify does", () => {
    const r: ProcessedReading = { ...base, value: Number.NaN, score: Number.POSITIVE_INFINITY };
    expect(JSON.parse(encodeProcessedReading(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("escapes ids that would otherwise break the document", () => {
    const r: ProcessedReading = { ...base, unit: 'U"1', sensor: "t\\emp" };
    expect(JSON.parse(encodeProcessedReading(r))).toEqual(JSON.parse(JSON.stringify(r)));
  });
});
