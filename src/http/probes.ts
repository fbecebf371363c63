/**
 * The health probes of the parts every node has (transport, MQTT, OPC UA,
 * history, simulator). Parts added later (models, WebSocket clients) register
 * their own on the HealthRegistry; until one does, its entry says "disabled".
 */
import type { MqttConnector, OpcUaConnections } from "../actors/connectors/index.js";
import type { SimulatorRunner } from "../actors/simulator/index.js";
import type { Transport } from "../runtime/transport/index.js";
import type { HistoryStore, HistoryWriter } from "../store/index.js";
import type { HealthProbe, HealthRegistry, SubsystemHealth } from "./health.js";
import type { ModelControl } from "./routes/models.js";

export interface ProbedParts {
  readonly transport: Transport;
  readonly transportKind: string;
  readonly mqtt: MqttConnector | undefined;
  readonly opcua: Pick<OpcUaConnections, "status"> | undefined;
  readonly history: { readonly store: HistoryStore; readonly writer: HistoryWriter } | undefined;
  readonly simulator: SimulatorRunner | undefined;
}

const DISABLED: SubsystemHealth = { status: "disabled" };

/** Subsystems that later parts of the node fill in (they call `register` with the same name). */
export const LATER_SUBSYSTEMS = ["models", "websocket"] as const;

export function registerNodeProbes(health: HealthRegistry, p: ProbedParts): void {
  health.register(
    "transport",
    async () => {
      // A round trip to the server over NATS; nothing to wait for in-process.
      await p.transport.flush();
      return { status: "ok", detail: { kind: p.transportKind } };
    },
    { critical: true },
  );
  health.register("mqtt", () => {
    if (p.mqtt === undefined) return DISABLED;
    const s = p.mqtt.status();
    // Paused by an operator (POST /connections/mqtt/disconnect) is a choice, not a failure.
    return { status: s.state === "connected" ? "ok" : s.state === "paused" ? "disabled" : "down", detail: { ...s } };
  });
  health.register("opcua", () => {
    const endpoints = p.opcua?.status() ?? [];
    // Disconnected without an error is an operator's choice (POST /connections/opcua/disconnect), not a failure.
    const watched = endpoints.filter((e) => e.state !== "disconnected" || e.error !== undefined);
    // On, but no endpoint configured or added yet (or every one disconnected on request): nothing to be down.
    if (watched.length === 0) return endpoints.length === 0 ? DISABLED : { status: "disabled", detail: { endpoints } };
    const connected = watched.filter((e) => e.state === "connected").length;
    const badNodes = watched.reduce((n, e) => n + e.badNodes.length, 0);
    const status = connected === 0 ? "down" : connected < watched.length || badNodes > 0 ? "degraded" : "ok";
    return { status, detail: { endpoints } };
  });
  health.register("history", () => {
    if (p.history === undefined) return DISABLED;
    const w = p.history.writer.status();
    // Spooling keeps every row, so a failing store degrades the node rather than taking it down.
    return { status: w.storeFailing ? "degraded" : "ok", detail: { store: p.history.store.kind, ...w } };
  });
  health.register("simulator", () => {
    if (p.simulator === undefined) return DISABLED;
    const s = p.simulator.status();
    return { status: s.running ? "ok" : "disabled", detail: { running: s.running, mode: s.mode, units: s.units, readingsPerSecond: s.readingsPerSecond, lagMs: s.lagMs } };
  });
  for (const name of LATER_SUBSYSTEMS) health.register(name, () => DISABLED);
}

/**
 * The models subsystem: ok when the registry answers (degraded when some
 * trainer's last run failed), with the Production version of each model
 * and each trainer's state; down when the registry cannot be read.
 */
export function modelsProbe(models: Pick<ModelControl, "list" | "status">): HealthProbe {
  return async () => {
    const versions = await models.list();
    const production = Object.fromEntries(versions.filter((v) => v.stage === "Production").map((v) => [v.model, v.version]));
    // A trainer whose last run failed (its error newer than its last result) still leaves the old models scoring.
    const trainers = models.status().map((t) => ({ kind: t.kind, state: t.state, failed: t.lastError !== null && (t.lastResult === null || t.lastError.at > t.lastResult.finishedAt) }));
    return { status: trainers.some((t) => t.failed) ? "degraded" : "ok", detail: { versions: versions.length, production, trainers } };
  };
}
