/**
 * Scoring with trained models in a node: feeds the registry's Production
 * versions (the registry the node opened, shared with the trainers) to
 * every shard worker at start and on every change (ModelFeed: hot swap,
 * refusals), turns the workers' scoring counters into metrics, and sends
 * solar forecasts back over MQTT when models.forecast.mqtt is on (bounded by
 * the device's registered capacity, as the API's answer), and keeps
 * each device's latest forecast for the API. With
 * models.enabled off nothing is fed: the workers have no model path.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { VigilConfig } from "../config/index.js";
import type { MqttConnector } from "../actors/connectors/index.js";
import { formatTopic } from "../actors/connectors/mqtt/index.js";
import type { KindsModelsConfig } from "../actors/kinds.js";
import { ModelFeed } from "../actors/models/index.js";
import { featureSpecOf, resolveSensorSettings } from "../actors/sensor/index.js";
import type { PowerForecast } from "../actors/readings/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import { capacityOf, withinCapacity } from "../http/devices/capacity.js";
import type { DeviceStore } from "../http/devices/store.js";
import { featureNames, type ModelRegistry, type WorkerModelStats } from "../ml/index.js";
import type { ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";

/** A scrape reads every model metric; they share one stats round trip to the workers. */
const STATS_REUSE_MS = 250;
const FORECAST_PREFIX = SUBJECTS.forecast("");

/** The kinds' `models` setting for the node's config: undefined (no model path) when models are off. */
export function modelKindsConfig(models: VigilConfig["models"]): KindsModelsConfig | undefined {
  if (!models.enabled) return undefined;
  const { batchRows, flushMs, maxQueuedRows, healthyRulHours } = models.scoring;
  return { batchRows, flushMs, maxQueuedRows, healthyRulHours };
}

export interface NodeModelScoring {
  /** Absent when models.enabled is off. */
  readonly feed: ModelFeed | undefined;
  /** Sees what the actors publish (the node's outlet tap): forecasts are kept, and go out over MQTT, from here. */
  tap(subject: string, json: string): void;
  /** A device's latest forecast seen by the tap. */
  latestForecast(device: string): PowerForecast | undefined;
  /** The connector forecasts are published with, once it exists, and the registered devices whose capacities bound them. */
  useMqtt(mqtt: MqttConnector | undefined, devices: Pick<DeviceStore, "find"> | undefined): void;
  /** Stops following the registry and lets the workers answer the rows they hold (before the actors stop). */
  stop(): Promise<void>;
}

export async function startModelScoring(
  config: Pick<VigilConfig, "models" | "pipeline">,
  deps: { system: ActorSystem; modelRegistry: ModelRegistry; logger: Logger; registry: Registry },
): Promise<NodeModelScoring> {
  const log = deps.logger.child({ part: "scoring" });
  const refused = new Counter({ name: "vigil_model_refused_total", help: "Model versions refused for scoring (corrupt, incompatible, failing to load), per model and code", labelNames: ["model", "code"], registers: [deps.registry] });
  let feed: ModelFeed | undefined;
  if (config.models.enabled) {
    feed = new ModelFeed({
      system: deps.system,
      registry: deps.modelRegistry,
      sensorFeatures: featureNames(featureSpecOf(resolveSensorSettings(config.pipeline.sensor))),
      anomalyThreshold: config.models.scoring.anomalyThreshold,
      log,
      onRefused: (model, _version, code) => refused.inc({ model, code }),
    });
    registerScoringMetrics(feed, deps.registry);
    try {
      await feed.start();
    } catch (err) {
      // A registry that cannot be read at start leaves the node on rules, not down.
      log.error({ err }, "cannot read the model registry; scoring by rules until it changes");
    }
  }
  let mqtt: MqttConnector | undefined;
  let devices: Pick<DeviceStore, "find"> | undefined;
  const forecast = config.models.forecast;
  // One entry per device that has had a forecast: as bounded as the plant's devices. Parsed when asked for.
  const latest = new Map<string, string>();
  return {
    feed,
    tap(subject, json) {
      if (!subject.startsWith(FORECAST_PREFIX)) return;
      const device = subject.slice(FORECAST_PREFIX.length);
      latest.set(device, json);
      if (mqtt === undefined) return;
      const capacity = devices === undefined ? undefined : capacityOf(devices, device);
      const payload = JSON.stringify(withinCapacity(JSON.parse(json) as PowerForecast, capacity));
      mqtt.publish(formatTopic(forecast.topic, { device }), payload).catch((err: unknown) => log.warn({ err, device }, "solar forecast not published over MQTT"));
    },
    latestForecast(device) {
      const json = latest.get(device);
      return json === undefined ? undefined : (JSON.parse(json) as PowerForecast);
    },
    useMqtt(connector, registered) {
      mqtt = forecast.mqtt ? connector : undefined;
      devices = registered;
      if (forecast.mqtt && connector === undefined) log.warn("models.forecast.mqtt is on but the MQTT connector is not (mqtt.enabled): forecasts stay on the transport");
    },
    async stop() {
      feed?.stop();
      await feed?.drain();
    },
  };
}

/**
 * The workers' scoring counters as prom-client series. Worker counters
 * restart from zero when a worker is replaced: only growth is added.
 */
function registerScoringMetrics(feed: ModelFeed, registry: Registry): void {
  let cached: { at: number; stats: Promise<WorkerModelStats[]> } | undefined;
  const stats = (): Promise<WorkerModelStats[]> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > STATS_REUSE_MS) cached = { at: now, stats: feed.workerStats().catch(() => []) };
    return cached.stats;
  };
  const seen = new Map<string, number>();
  const grow = (key: string, value: number): number => {
    const before = seen.get(key) ?? 0;
    seen.set(key, value);
    return value >= before ? value - before : value;
  };
  new Counter({
    name: "vigil_model_fallbacks_total",
    help: "Readings and unit assessments scored by rules instead of a model, per model and reason (no_model, warming_up, features_missing, overloaded, failed, restored)",
    labelNames: ["model", "reason"],
    registers: [registry],
    async collect() {
      (await stats()).forEach((worker, w) => {
        for (const f of worker.fallbacks) {
          const delta = grow(`${w}|${f.model}|${f.reason}`, f.count);
          if (delta > 0) this.inc({ model: f.model, reason: f.reason }, delta);
        }
      });
    },
  });
  new Counter({
    name: "vigil_model_rows_scored_total",
    help: "Rows scored by a model on the shard workers, per model",
    labelNames: ["model"],
    registers: [registry],
    async collect() {
      (await stats()).forEach((worker, w) => {
        for (const m of worker.models) {
          const delta = grow(`${w}|${m.name}|rows`, m.rowsScored);
          if (delta > 0) this.inc({ model: m.name }, delta);
        }
      });
    },
  });
  new Gauge({
    name: "vigil_model_version",
    help: "The version each model scores with on the workers (its Production version, unless that one was refused)",
    labelNames: ["model"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [model, version] of feed.current()) this.set({ model }, version);
    },
  });
}
