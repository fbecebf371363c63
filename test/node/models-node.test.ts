/**
 * Model scoring in a started node (the real `startNode`, two shard workers,
 * the simulator off): the filesystem registry it opens, the Production
 * versions fed to its workers, promotions followed while it runs, the
 * workers' counts on its /metrics registry, and solar forecasts published
 * back to a real Mosquitto — from a model promoted by the spec, and from the
 * seeded baseline for the simulator's own solar devices.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MqttClient } from "mqtt";
import { Registry } from "prom-client";
import { afterAll, afterEach, expect, it } from "vitest";
import { sensorAddress, type PowerForecast, type ProcessedReading } from "../../src/actors/readings/index.js";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { loadConfig } from "../../src/config/index.js";
import { FsModelRegistry, predict, writeTimeFeatures } from "../../src/ml/index.js";
import { startNode, type RunningNode } from "../../src/node/start.js";
import { SeededRandom } from "../../src/runtime/index.js";
import { anomalyModel, normalValue, promote, reading, solarForecaster, T0, WARMUP } from "../actors/models/trained.js";
import { connectDevice } from "../actors/connectors/mqtt/mqtt-rig.js";
import { silentLog } from "../fixtures/actor-system.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../harness/servers.js";

let node: RunningNode | undefined;
let device: MqttClient | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await device?.endAsync();
  device = undefined;
  await node?.stop();
  node = undefined;
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
afterAll(() => stopAllServers());

async function startModelNode(file: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<{ node: RunningNode; metrics: Registry; root: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-models-node-"));
  dirs.push(dir);
  const root = path.join(dir, "models");
  const configFile = path.join(dir, "vigil.json");
  // The registry in the test's own dir, whatever else `file` sets in models: the default directory is shared by every node of this checkout.
  // No baselines seeded (unless `file` asks) and no trainers: the test promotes what it scores with.
  await writeFile(
    configFile,
    JSON.stringify({ ...file, models: { ...(file["models"] as object | undefined), registry: { fs: { root } } }, training: { enabled: false, baselineDir: "", ...(file["training"] as object | undefined) } }),
  );
  const config = loadConfig({
    file: configFile,
    env: { VIGIL_RUNTIME_WORKERS: "2", VIGIL_HTTP_ENABLED: "false", VIGIL_SIMULATOR_ENABLED: "false", VIGIL_HISTORY_ENABLED: "false", VIGIL_NOTIFY_OUTBOX_DIR: path.join(dir, "outbox"), VIGIL_METRICS_ENABLED: "false", ...env },
  });
  const metrics = new Registry();
  node = await startNode(config, { logger: silentLog, registry: metrics });
  return { node, metrics, root };
}

/** Collects what arrives on a transport subject until `count` messages are in. */
async function collect<T>(n: RunningNode, subject: string, count: number, send: () => void): Promise<T[]> {
  const sub = n.transport.subscribe(subject);
  const got: T[] = [];
  send();
  const decoder = new TextDecoder();
  for await (const msg of sub) {
    got.push(JSON.parse(decoder.decode(msg.data)) as T);
    if (got.length === count) break;
  }
  sub.unsubscribe();
  return got;
}

function metricValue(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it("scores with the Production version in its registry, follows a promotion while running, and reports the workers' counts on its metrics", async () => {
  const { node: n, metrics, root } = await startModelNode();
  const registry = n.modelRegistry;
  await promote(registry, anomalyModel(1).version);
  await n.scoring?.settled();

  const rand = new SeededRandom(3);
  const first = await collect<ProcessedReading>(n, SUBJECTS.processedAll, 20, () => {
    for (let i = 0; i < 10; i++) {
      for (const sensor of ["temperature", "pressure"]) n.system.tell(sensorAddress("UNIT001", sensor), reading("UNIT001", sensor, T0 + i * 1000, sensor === "temperature" ? normalValue(rand) : 4));
    }
  });
  // Its first readings are the warm-up (scored by rules); the model scores from the WARMUP-th on.
  expect(first.filter((r) => r.sensor === "temperature").map((r) => `${r.method}:${String(r.model_version)}`)).toEqual([
    ...Array<string>(WARMUP - 1).fill("RULES:null"),
    ...Array<string>(10 - WARMUP + 1).fill("MODEL:anomaly.temperature@1"),
  ]);
  expect(new Set(first.filter((r) => r.sensor === "pressure").map((r) => `${r.method}:${String(r.model_version)}`))).toEqual(new Set(["RULES:null"]));

  await promote(registry, anomalyModel(2).version);
  await n.scoring?.settled();
  const later = await collect<ProcessedReading>(n, SUBJECTS.processedAll, 5, () => {
    for (let i = 10; i < 15; i++) n.system.tell(sensorAddress("UNIT001", "temperature"), reading("UNIT001", "temperature", T0 + i * 1000, normalValue(rand)));
  });
  expect(new Set(later.map((r) => r.model_version))).toEqual(new Set(["anomaly.temperature@2"]));

  const text = await metrics.metrics();
  expect(metricValue(text, 'vigil_model_fallbacks_total{model="anomaly.pressure",reason="no_model"}')).toBe(10);
  expect(metricValue(text, 'vigil_model_fallbacks_total{model="anomaly.temperature",reason="warming_up"}')).toBe(WARMUP - 1);
  expect(metricValue(text, 'vigil_model_rows_scored_total{model="anomaly.temperature"}')).toBe(15 - (WARMUP - 1));
  expect(metricValue(text, 'vigil_model_version{model="anomaly.temperature"}')).toBe(2);
  // The registry the node opened is the one configured.
  expect((await new FsModelRegistry({ root }).list()).map((v) => `${v.model}@${v.version}:${v.stage}`)).toEqual(["anomaly.temperature@1:Archived", "anomaly.temperature@2:Production"]);
}, 60_000);

/** A node scoring with solarForecaster() whose forecasts go back to `broker` (models.forecast.mqtt), with `file`'s settings on top. */
async function startForecastNode(broker: ServerHandle, file: Record<string, unknown> = {}): Promise<RunningNode> {
  const { node: n } = await startModelNode({
    mqtt: { enabled: true, url: broker.url, topics: [{ topic: "solar/{device}/data", payload: "fields", unit: "{device}" }] },
    models: { forecast: { mqtt: true } },
    ...file,
  });
  await promote(n.modelRegistry, solarForecaster().version);
  await n.scoring?.settled();
  return n;
}

/** Sends PV01's reading of `ghi` and `temperature` over the broker; answers the forecast published back for it. */
async function forecastOverMqtt(broker: ServerHandle, ts: number, ghi: number, temperature: number): Promise<Record<string, unknown>> {
  device = await connectDevice(broker.url);
  await device.subscribeAsync("solar/PV01/forecast", { qos: 1 });
  const forecast = new Promise<Record<string, unknown>>((resolve) => device!.on("message", (_topic, payload) => resolve(JSON.parse(payload.toString()) as Record<string, unknown>)));
  await device.publishAsync("solar/PV01/data", JSON.stringify({ ghi, temperature, timestamp: new Date(ts).toISOString() }), { qos: 1 });
  return forecast;
}

it("publishes a solar device's power forecast back to the broker on solar/{device}/forecast", async () => {
  const broker = await startMosquitto();
  await startForecastNode(broker);
  const { model, version } = solarForecaster();
  const ts = Date.now() - 1000;
  const got = await forecastOverMqtt(broker, ts, 640, 21);
  const row = new Float64Array(version.features.length);
  writeTimeFeatures(ts, row, 0);
  row[4] = 640;
  row[5] = 21;
  expect(got).toMatchObject({ unit: "PV01", ts, model_version: "solar_forecast@1", capacity_kw: null });
  expect(got["power_kw"]).toBeCloseTo(predict(model, row, 1)[0] as number, 2);
  expect(got["model_power_kw"]).toBe(got["power_kw"]);
}, 60_000);

it("bounds a registered device's forecast by its capacity before publishing it, the model's own figure beside it, as the API does", async () => {
  const broker = await startMosquitto();
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-models-node-devices-"));
  dirs.push(dir);
  const devicesFile = path.join(dir, "devices.json");
  // Registered through the API before; the node publishing forecasts reads the same file with the API off.
  await writeFile(devicesFile, JSON.stringify([{ id: "PV01", type: "solar", location: "roof", capacityKw: 2.5, topic: "solar/PV01/data" }]));
  await startForecastNode(broker, { http: { devicesFile } });
  const got = await forecastOverMqtt(broker, Date.now() - 1000, 640, 21);
  expect(got["model_power_kw"]).toBeGreaterThan(2.5);
  expect(got).toMatchObject({ unit: "PV01", power_kw: 2.5, capacity_kw: 2.5 });
}, 60_000);

it("forecasts the simulator's solar devices with the seeded baseline and publishes each forecast to solar/{device}/forecast", async () => {
  const broker = await startMosquitto();
  // The site's longitude puts its noon near now, so the arrays are making power while the spec runs.
  const utcHours = new Date().getUTCHours() + new Date().getUTCMinutes() / 60;
  const longitude = Math.round((((12 - utcHours) * 15 + 540) % 360) - 180);
  device = await connectDevice(broker.url);
  await device.subscribeAsync(["solar/+/forecast", "solar/+/data"], { qos: 1 });
  const measured = new Map<string, number>();
  const forecasts = new Map<string, { topic: string; forecast: PowerForecast }>();
  const both = new Promise<void>((resolve) =>
    device!.on("message", (topic, payload) => {
      const [, unit, kind] = topic.split("/") as [string, string, string];
      const body = JSON.parse(payload.toString()) as Record<string, unknown>;
      if (kind === "data") measured.set(`${unit}@${Date.parse(body["timestamp"] as string)}`, body["power"] as number);
      else if (!forecasts.has(unit)) forecasts.set(unit, { topic, forecast: body as unknown as PowerForecast });
      if (forecasts.size === 2) resolve();
    }),
  );
  const { node: n } = await startModelNode(
    {
      mqtt: { enabled: true, url: broker.url },
      models: { forecast: { mqtt: true } },
      training: { baselineDir: fileURLToPath(new URL("../../models", import.meta.url)) },
      simulator: { units: 1, scenarioEveryMs: 0, publishers: ["mqtt"], mqtt: { url: broker.url }, solar: { devices: 2, capacityKw: 5, latitude: 10, longitude } },
    },
    { VIGIL_SIMULATOR_ENABLED: "true" },
  );
  expect((await n.modelRegistry.production("solar_forecast"))?.version).toBe(1);
  await both;
  for (const unit of ["SOLAR001", "SOLAR002"]) {
    const { topic, forecast } = forecasts.get(unit)!;
    expect(topic).toBe(`solar/${unit}/forecast`);
    expect(forecast).toMatchObject({ unit, model_version: "solar_forecast@1" });
    // Made from the device's own message: the forecast's instant is one it sent, and the forecast is near what it made then.
    const power = measured.get(`${unit}@${forecast.ts}`);
    expect(power).toBeDefined();
    expect(Math.abs(forecast.power_kw - power!)).toBeLessThan(1);
  }
}, 120_000);
