/**
 * The provisioned Grafana plant dashboard queries Vigil's real ClickHouse
 * tables: every panel's SQL and the unit variable's, with Grafana's
 * variables filled in as Grafana would, runs against a real clickhouse-server
 * (the harness's 18.16, the oldest SQL dialect Vigil supports) on a database
 * migrated by Vigil's own store and holding rows written through it.
 */
import { createClient, type ClickHouseClient } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClickHouseHistoryStore } from "../../src/store/clickhouse/index.js";
import { startClickHouse, type ServerHandle } from "../harness/servers.js";
import { readDeploy } from "./deploy-files.js";

interface Target {
  rawSql: string;
}

interface Dashboard {
  panels: { title: string; targets: Target[] }[];
  templating: { list: { name: string; query: string }[] };
}

const dashboard = JSON.parse(readDeploy("grafana/dashboards/plant.json")) as Dashboard;
// The dashboard names its tables `vigil.<table>`: the default database, which the deployments keep.
const DATABASE = "vigil";
const NOW = Date.now();

/** What Grafana substitutes before the plugin sees the SQL: the time range, the interval, the unit variable. */
function interpolate(sql: string): string {
  return sql
    .replaceAll("${__from}", String(NOW - 60 * 60 * 1000))
    .replaceAll("${__to}", String(NOW + 60 * 1000))
    .replaceAll("${__interval_ms}", "60000")
    .replaceAll("${unit:singlequote}", "'UNIT001','UNIT002'");
}

let server: ServerHandle;
let client: ClickHouseClient;
let store: ClickHouseHistoryStore;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const result = await client.query({ query: interpolate(sql), format: "JSONEachRow" });
  return result.json<Record<string, unknown>>();
}

beforeAll(async () => {
  server = await startClickHouse();
  client = createClient({ url: server.url, username: "default", password: "" });
  store = new ClickHouseHistoryStore({ url: server.url, database: DATABASE, username: "default", password: "", retentionDays: 0 });
  await store.migrate();
  const reading = { unit: "UNIT001", sensor: "temperature", ts: NOW - 5_000, value: 71.5, quality: "GOOD", source: "mqtt", receivedAt: NOW - 4_900 } as const;
  await store.insertRaw([reading]);
  await store.insertProcessed([
    { ...reading, anomaly: true, score: 0.93, severity: "HIGH", category: "THERMAL", method: "STATISTICAL", modelVersion: null, reasons: ["zscore"], processedAt: NOW - 4_800 },
  ]);
  await store.insertAlarmEvents([
    { alarmId: "UNIT001:temp-high", rule: "temp-high", unit: "UNIT001", sensor: "temperature", state: "active_unacknowledged", severity: "HIGH", ts: NOW - 4_700, actor: "system", message: "temperature high", comment: null },
  ]);
  await store.insertRejections([{ ts: NOW - 4_600, source: "mqtt", reason: "not_a_number", unit: "UNIT001", sensor: "temperature", detail: "\"abc\"" }]);
}, 120_000);

afterAll(async () => {
  await store?.close();
  await client?.close();
  await server?.stop();
});

describe("the plant dashboard", () => {
  it("lists the units that have readings in its unit variable", async () => {
    const unit = dashboard.templating.list.find((v) => v.name === "unit");
    expect(await query(unit?.query ?? "")).toEqual([{ unit: "UNIT001" }]);
  });

  it.each(dashboard.panels.map((p) => [p.title, p] as const))("runs the SQL of panel %s and finds the rows written", async (_, panel) => {
    for (const target of panel.targets) {
      const rows = await query(target.rawSql);
      expect(rows.length, target.rawSql).toBeGreaterThan(0);
    }
  });

  it("shows a sensor's newest reading in the latest readings table", async () => {
    const panel = dashboard.panels.find((p) => p.title === "Latest readings");
    const rows = await query(panel?.targets[0]?.rawSql ?? "");
    expect(rows).toEqual([expect.objectContaining({ unit: "UNIT001", sensor: "temperature", value: 71.5, quality: "GOOD" })]);
  });
});
