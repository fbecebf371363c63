import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { IngestCounters } from "../../../src/actors/readings/index.js";

describe("ingest counters", () => {
  it("export the readings accepted per source as vigil_ingest_readings_total, counted up to the moment they are read", async () => {
    const registry = new Registry();
    const counters = new IngestCounters(registry);
    counters.accept("mqtt");
    counters.accept("mqtt", 41);
    counters.accept("nats", 7);
    const first = await registry.getSingleMetric("vigil_ingest_readings_total")?.get();
    counters.accept("mqtt", 8);
    const second = await registry.getSingleMetric("vigil_ingest_readings_total")?.get();
    const bySource = (m: typeof first): Record<string, number> => Object.fromEntries((m?.values ?? []).map((v) => [String(v.labels.source), v.value]));
    expect([bySource(first), bySource(second)]).toEqual([
      { mqtt: 42, nats: 7 },
      { mqtt: 50, nats: 7 },
    ]);
  });
});
