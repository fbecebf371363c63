/**
 * The one schema for a node's whole configuration. Every field is required
 * here: `defaults.ts` fills every one, and `load.ts` validates the merged
 * result, so code that receives a `VigilConfig` never checks for undefined.
 *
 * Adding a section: add it below, add its defaults in `defaults.ts`. Its
 * `VIGIL_*` environment variables follow from the field names automatically
 * (`runtime.mailboxCapacity` → `VIGIL_RUNTIME_MAILBOX_CAPACITY`).
 */
import { z } from "zod";
import { durationMs, flag, listOf, oneOf, port, section, text, textMatching, wholeNumber } from "./fields.js";
import { topicMappingSchema } from "./mqtt-topics.js";
import { opcUaEndpointSchema } from "./opcua-endpoints.js";
import { notifySchema } from "./notify.js";
import { alarmsSchema } from "./alarms.js";
import { pipelineSchema } from "./pipeline.js";
import { modelsSchema } from "./models.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const OVERFLOW_POLICIES = ["backpressure", "drop-oldest"] as const;
export const TRANSPORT_KINDS = ["in-process", "nats"] as const;
/** How processed readings leave the node: one message each, or one per unit per batch (src/node/outlet.ts). */
export const PROCESSED_OUTPUTS = ["each", "unit-batch"] as const;
// Mirrors of the simulator's own lists (src/actors/simulator); config may not import actors.
export const SIMULATOR_MODES = ["plant", "run-to-failure"] as const;
export const SIMULATOR_PUBLISHERS = ["gateway", "mqtt", "nats", "opcua"] as const;
export const SIMULATOR_NATS_MODES = ["single", "batch"] as const;

// The node id becomes a NATS subject token and a key-value key, so it may not
// contain dots, wildcards or spaces.
const NODE_ID = /^[A-Za-z0-9_-]+$/;

const NATS_URL_SCHEMES = new Set(["nats:", "tls:", "ws:", "wss:"]);

function isNatsServer(s: string): boolean {
  try {
    // nats.js accepts bare "host:port"; URL needs a scheme to parse it.
    const url = new URL(s.includes("://") ? s : `nats://${s}`);
    return NATS_URL_SCHEMES.has(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

const natsServer = z
  .string({ error: "a NATS server URL such as nats://host:4222" })
  .refine(isNatsServer, { error: "a NATS server URL such as nats://host:4222" });

const MQTT_URL_SCHEMES = new Set(["mqtt:", "mqtts:", "tcp:", "ssl:", "ws:", "wss:"]);

const mqttUrl = z
  .string({ error: "an MQTT broker URL such as mqtt://host:1883" })
  .refine((s) => {
    try {
      const url = new URL(s);
      return MQTT_URL_SCHEMES.has(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, { error: "an MQTT broker URL such as mqtt://host:1883" });

const clickHouseUrl = z
  .string({ error: "an http(s) URL such as http://host:8123, or empty for the embedded store" })
  .refine((s) => {
    if (s === "") return true;
    try {
      const url = new URL(s);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
      return false;
    }
  }, { error: "an http(s) URL such as http://host:8123, or empty for the embedded store" });

const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const MQTT_CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
// A share name is one topic level; MQTT forbids '/', '+' and '#' in it, and we keep it to plain characters.
const SHARE_GROUP = /^[A-Za-z0-9_-]{0,64}$/;
// The same rule as a reading's unit id (src/actors/readings/reading.ts ID_PATTERN); config may not import actors.
const UNIT_ID = /^[A-Za-z0-9_-]{1,64}$/;

const backoff = section({
  minMs: durationMs(1),
  maxMs: durationMs(1),
}).superRefine((b, ctx) => {
  if (b.maxMs < b.minMs) {
    ctx.addIssue({ code: "custom", path: ["maxMs"], message: `a whole number of milliseconds >= minMs (${b.minMs})` });
  }
});

export const configSchema = section({
  node: section({
    id: textMatching(NODE_ID, "letters, digits, '-' or '_' only (it is used as a NATS subject token)"),
    name: text(),
  }),
  log: section({
    level: oneOf(LOG_LEVELS),
    pretty: flag(),
  }),
  metrics: section({
    enabled: flag(),
    host: text(),
    port: port(),
  }),
  runtime: section({
    workers: wholeNumber(1),
    mailboxCapacity: wholeNumber(1),
    overflow: oneOf(OVERFLOW_POLICIES),
    idleTimeoutMs: durationMs(1),
    askTimeoutMs: durationMs(1),
    snapshotIntervalMs: durationMs(1),
    supervision: section({
      maxRestarts: wholeNumber(0),
      withinMs: durationMs(1),
      backoff,
    }),
  }),
  transport: section({
    kind: oneOf(TRANSPORT_KINDS),
    processed: oneOf(PROCESSED_OUTPUTS),
    nats: section({
      servers: listOf(natsServer, "NATS server URLs"),
      name: text(),
    }),
  }),
  // Scale-out over NATS JetStream (src/runtime/cluster): needs transport.kind "nats".
  cluster: section({
    enabled: flag(),
    // Fixed for the life of a cluster: a node configured otherwise is refused at start.
    partitions: wholeNumber(1, 4096),
    replicas: wholeNumber(1, 5),
    heartbeatMs: durationMs(100),
    memberTtlMs: durationMs(1000),
    leaseTtlMs: durationMs(1000),
    snapshotIntervalMs: durationMs(100),
    ingestMaxAgeMs: durationMs(60_000),
    duplicateWindowMs: durationMs(1000),
    maxInFlight: wholeNumber(1),
  }),
  mqtt: section({
    enabled: flag(),
    url: mqttUrl,
    // The broker keeps our QoS 1 session under this id while we are away: it must be
    // stable across restarts and differ between nodes.
    clientId: textMatching(MQTT_CLIENT_ID, "letters, digits, '-' or '_' only, at most 64 characters"),
    username: z.string({ error: "a string (empty: no username)" }),
    password: z.string({ error: "a string (empty: no password)" }),
    protocolVersion: wholeNumber(4, 5),
    sessionExpirySec: wholeNumber(0),
    keepaliveSec: wholeNumber(0, 65_535),
    reconnectPeriodMs: durationMs(1),
    connectTimeoutMs: durationMs(1),
    maxPayloadBytes: wholeNumber(1),
    drainTimeoutMs: durationMs(0),
    maxPendingPublishes: wholeNumber(1),
    // Cluster members subscribe as `$share/<group>/<filter>` so each message reaches one of them;
    // empty: plain subscriptions even in a cluster (a broker without shared subscriptions).
    sharedGroup: textMatching(SHARE_GROUP, "letters, digits, '-' or '_' only (empty: no shared subscriptions)"),
    // A list of objects: set in the config file only (settings.ts leaves it out of VIGIL_* variables).
    topics: z.array(topicMappingSchema, { error: "a list of topic mappings" }),
  }),
  ingest: section({
    maxFutureMs: durationMs(0),
    maxAgeMs: durationMs(1),
    knownUnits: z.array(textMatching(UNIT_ID, "unit ids of letters, digits, '-' or '_'"), { error: "a list of unit ids" }),
    nats: section({
      enabled: flag(),
      queue: textMatching(NODE_ID, "letters, digits, '-' or '_' only (it is a NATS queue group name)"),
    }),
    http: section({
      enabled: flag(),
      host: text(),
      port: port(),
      maxBodyBytes: wholeNumber(1),
    }),
  }),
  opcua: section({
    enabled: flag(),
    applicationName: text(),
    pkiDir: text(),
    acceptUnknownServerCertificates: flag(),
    reconnect: backoff,
    maxPendingReadings: wholeNumber(1),
    // A list of objects: set in the config file only (settings.ts leaves it out of VIGIL_* variables).
    endpoints: z.array(opcUaEndpointSchema, { error: "a list of OPC UA endpoints" }),
    // The simulator's OPC UA server, used when simulator.publishers includes "opcua".
    server: section({
      host: text(),
      port: port(),
      pkiDir: text(),
    }),
  }),
  simulator: section({
    enabled: flag(),
    mode: oneOf(SIMULATOR_MODES),
    units: wholeNumber(1, 1_000_000),
    seed: wholeNumber(0, 4_294_967_295),
    intervalMs: durationMs(1),
    scenarioEveryMs: durationMs(0),
    publishers: listOf(oneOf(SIMULATOR_PUBLISHERS), "simulator publishers (gateway, mqtt, nats, opcua)"),
    mqtt: section({
      url: mqttUrl,
      topicPrefix: textMatching(/^[^#+\s]+$/, "an MQTT topic prefix without wildcards or spaces"),
      qos: wholeNumber(0, 2),
    }),
    nats: section({
      mode: oneOf(SIMULATOR_NATS_MODES),
      batchSize: wholeNumber(1),
    }),
  }),
  // Sensor and unit actors: windows, checks, scoring, unit rules (kindConfig of src/actors/kinds.ts).
  pipeline: pipelineSchema,
  // The history store (src/store): ClickHouse when a URL is set, the embedded store otherwise.
  history: section({
    // Off: the node stores nothing (benches that measure the pipeline alone).
    enabled: flag(),
    // How often retention runs (it also runs at start): time-series rows older than the store's retentionDays go.
    retentionCheckMs: durationMs(1000),
    clickhouse: section({
      url: clickHouseUrl,
      // Becomes an identifier in SQL text, so only the characters an unquoted identifier may hold.
      database: textMatching(SQL_IDENTIFIER, "letters, digits and '_', not starting with a digit"),
      username: text(),
      password: z.string({ error: "a string (empty: no password)" }),
      retentionDays: wholeNumber(0, 36_500),
    }),
    embedded: section({
      path: text(),
      retentionDays: wholeNumber(0, 36_500),
    }),
    // The history writer (src/store/writer): batching, its memory bound, retries and the disk spool.
    writer: section({
      spoolDir: text(),
      batchRows: wholeNumber(1),
      batchDelayMs: durationMs(1),
      maxQueuedRows: wholeNumber(1),
      retryInitialMs: durationMs(1),
      retryMaxMs: durationMs(1),
    }),
  }),
  // Alarm notifications (src/notify): notifiers, routes, retries, the outbox.
  notify: notifySchema,
  // Alarm rules and management (src/rules, src/actors/alarm): rules file, areas, flood, escalation.
  alarms: alarmsSchema,
  // Trained models (src/ml): the registry's backend.
  models: modelsSchema,
});

export type VigilConfig = z.infer<typeof configSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];
export type TransportKind = (typeof TRANSPORT_KINDS)[number];
export type ProcessedOutput = (typeof PROCESSED_OUTPUTS)[number];
