import { describe, expect, it } from "vitest";
import { encodeProcessedReading, ProcessedEncoder, scoreOf, type ProcessedReading } from "../../../src/actors/readings/index.js";

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

  it("writes numbers of up to three decimals, large and small, negative and zero, so that they parse back to the same numbers", () => {
    const numbers = [0, -0, 1, -1, 0.001, -0.001, 0.5, 21.5, -273.15, 999.999, 1_763_935_360_123.456, 1_763_935_360_123, -1_763_935_360_123.001, 4_503_599_627_370.495, 123_456_789_012_345.6];
    for (const n of numbers) {
      const r: ProcessedReading = { ...base, ts: n, value: -n, receivedAt: n / 2, processedAt: n * 3 };
      expect(JSON.parse(encodeProcessedReading(r))).toEqual(JSON.parse(JSON.stringify(r)));
    }
  });

  it("writes numbers of many decimals and scores of every size so that they parse back to the same numbers", () => {
    for (let i = 0; i < 2_000; i++) {
      const x = Math.random();
      const score = i % 2 === 0 ? scoreOf(x) : x;
      const r: ProcessedReading = { ...base, value: (x - 0.5) * 10 ** (i % 20), score, ts: 1_700_000_000_000 + x };
      expect(JSON.parse(encodeProcessedReading(r))).toEqual(JSON.parse(JSON.stringify(r)));
    }
    for (const score of [0, 1, 1e-6, 0.999999, 0.5, scoreOf(0.12345678)]) {
      expect((JSON.parse(encodeProcessedReading({ ...base, score })) as ProcessedReading).score).toBe(score);
    }
  });
});

describe("a sensor's processed-reading encoder", () => {
  it("writes the same text as encodeProcessedReading as the model version and reasons change from reading to reading", () => {
    const encoder = new ProcessedEncoder(base.unit, base.sensor);
    const anomalous = ["zscore", "out_of_range"];
    const readings: ProcessedReading[] = [
      base,
      { ...base, ts: base.ts + 1, method: "MODEL", model_version: "anomaly.temperature@3" },
      { ...base, ts: base.ts + 2, method: "MODEL", model_version: "anomaly.temperature@3", anomaly: true, severity: "HIGH", category: "THERMAL", reasons: anomalous },
      { ...base, ts: base.ts + 3, method: "MODEL", model_version: "anomaly.temperature@3", anomaly: true, severity: "HIGH", category: "THERMAL", reasons: anomalous },
      { ...base, ts: base.ts + 4, method: "MODEL", model_version: 'odd "label"', reasons: [] },
      { ...base, ts: base.ts + 5 },
    ];
    for (const r of readings) expect(encoder.encode(r)).toBe(encodeProcessedReading(r));
  });

  it("writes the same text as encodeProcessedReading as quality, source, verdict and times change or repeat, across the encoders of a thread", () => {
    const encoders = [new ProcessedEncoder(base.unit, base.sensor), new ProcessedEncoder("UNIT002", "pressure")];
    const readings: ProcessedReading[] = [
      base,
      { ...base, unit: "UNIT002", sensor: "pressure" },
      { ...base, ts: base.ts + 1000, quality: "UNCERTAIN", receivedAt: Number.NaN },
      { ...base, unit: "UNIT002", sensor: "pressure", ts: base.ts + 1000, source: "nats", receivedAt: Number.NaN },
      { ...base, ts: base.ts + 2000, anomaly: true, score: 0.8, severity: "MEDIUM", category: "THERMAL", method: "RULES", reasons: ["stuck"], processedAt: -0 },
      { ...base, ts: base.ts + 2000, processedAt: 0 },
      { ...base, unit: "UNIT002", sensor: "pressure", ts: base.ts + 3000, method: "MODEL", model_version: "anomaly.pressure@2", processedAt: 0 },
    ];
    for (const r of readings) {
      const encoder = r.unit === base.unit ? encoders[0] : encoders[1];
      expect(encoder?.encode(r)).toBe(encodeProcessedReading(r));
    }
  });
});

describe("published scores", () => {
  it("have six decimals at most", () => {
    expect(scoreOf(0.123456789)).toBe(0.123457);
    expect(scoreOf(1)).toBe(1);
    expect(scoreOf(0.0000004)).toBe(0);
  });
});
