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
import { durationMs, flag, listOf, numberBetween, oneOf, port, section, text, textMatching, wholeNumber } from "./fields.js";
import { topicMappingSchema } from "./mqtt-topics.js";
import { opcUaEndpointSchema } from "./opcua-endpoints.js";
import { notifySchema } from "./notify.js";
import { alarmsSchema } from "./alarms.js";
import { feedsSchema } from "./feeds.js";
import { httpSchema } from "./http.js";
import { pipelineSchema } from "./pipeline.js";
import { modelsSchema } from "./models.js";
import { trainingSchema } from "./training.js";

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
  minMs: durationMs(1).describe("The first delay; it doubles on each further attempt…"),
  maxMs: durationMs(1).describe("…up to this."),
}).superRefine((b, ctx) => {
  if (b.maxMs < b.minMs) {
    ctx.addIssue({ code: "custom", path: ["maxMs"], message: `a whole number of milliseconds >= minMs (${b.minMs})` });
  }
});

export const configSchema = section({
  node: section({
    id: textMatching(NODE_ID, "letters, digits, '-' or '_' only (it is used as a NATS subject token)")
      .meta({ description: "This node's id, unique in a cluster: a NATS subject token, a key in key-value buckets and the `node` label of its metrics.", defaultText: "`<hostname>-<pid>`" }),
    name: text().meta({ description: "A human name for the node, shown in status replies.", defaultText: "`<hostname>`" }),
  }).describe("The node's identity."),
  log: section({
    level: oneOf(LOG_LEVELS).describe("Lowest level written to the log (pino); `silent` writes nothing."),
    pretty: flag().describe("Human-readable coloured lines instead of JSON (pino-pretty); for a terminal, not for log shippers."),
  }).describe("Logging (JSON lines on stdout)."),
  metrics: section({
    enabled: flag().describe("Serve Prometheus metrics on `/metrics` (and `/healthz`)."),
    host: text().describe("Interface the metrics server binds to; loopback by default, so exposing metrics beyond the host is an explicit choice (`0.0.0.0` in a container)."),
    port: port().describe("Port of the metrics server; 0 picks a free one."),
  }).describe("The Prometheus metrics endpoint."),
  runtime: section({
    workers: wholeNumber(1).meta({ description: "Shard worker threads; an actor's worker is chosen by hashing its partition key.", defaultText: "the number of cores" }),
    mailboxCapacity: wholeNumber(1).describe("Messages an actor's mailbox holds before its overflow policy applies."),
    overflow: oneOf(OVERFLOW_POLICIES).describe("What a full mailbox does: `backpressure` makes the sender wait; `drop-oldest` drops and counts the oldest message."),
    idleTimeoutMs: durationMs(1).describe("An actor idle this long is passivated (snapshotted and removed from memory)."),
    askTimeoutMs: durationMs(1).describe("How long a request to an actor waits for its reply."),
    snapshotIntervalMs: durationMs(1).describe("How often an actor with changes takes a snapshot, the state a restart comes back from."),
    supervision: section({
      maxRestarts: wholeNumber(0).describe("Restarts of a failing actor allowed within `withinMs` before the failure escalates."),
      withinMs: durationMs(1).describe("The window `maxRestarts` is counted in."),
      backoff: backoff.describe("Delay before each restart: `minMs` first, doubling up to `maxMs`."),
    }),
  }).describe("The actor runtime: shard workers, mailboxes, supervision."),
  transport: section({
    kind: oneOf(TRANSPORT_KINDS).describe("`in-process` for a single node; `nats` to talk over NATS (required for a cluster)."),
    processed: oneOf(PROCESSED_OUTPUTS).describe("`each`: one message per processed reading on `vigil.processed.<unit>.<sensor>`; `unit-batch`: one JSON array per unit per batch on `vigil.batch.processed.<unit>`, far cheaper at high rates."),
    nats: section({
      servers: listOf(natsServer, "NATS server URLs").describe("NATS servers to connect to (any of them; the client learns the rest of the cluster)."),
      name: text().describe("Connection name shown in the NATS server's monitoring."),
    }),
  }).describe("How actors and nodes exchange messages."),
  // Scale-out over NATS JetStream (src/runtime/cluster): needs transport.kind "nats".
  cluster: section({
    enabled: flag().describe("Join the cluster on the node's NATS (`transport.kind` `nats`); off: one node on its own."),
    // Fixed for the life of a cluster: a node configured otherwise is refused at start.
    partitions: wholeNumber(1, 4096).describe("Ingest partitions, fixed for the life of the cluster: a node configured otherwise is refused at start."),
    replicas: wholeNumber(1, 5).describe("JetStream replicas of the cluster's streams and buckets: 3 on a three-server NATS cluster."),
    heartbeatMs: durationMs(100).describe("Time between membership heartbeats."),
    memberTtlMs: durationMs(1000).describe("A member unheard for this long is gone."),
    leaseTtlMs: durationMs(1000).describe("Partition lease lifetime; renewed every quarter of it, and the owner stops processing (self-fences) after three quarters without a renewal."),
    snapshotIntervalMs: durationMs(100).describe("Time between snapshots of each owned partition, where a new owner resumes from."),
    ingestMaxAgeMs: durationMs(60_000).describe("Readings kept in the ingest stream for replays."),
    duplicateWindowMs: durationMs(1000).describe("Replays within this window produce no second output."),
    maxInFlight: wholeNumber(1).describe("Readings of one partition applied but not yet durable."),
  }).describe("Scale-out over NATS JetStream: partitions, leases, snapshots."),
  mqtt: section({
    enabled: flag().describe("Ingest over MQTT; the embedded setup has no broker, so it is off until asked for."),
    url: mqttUrl.describe("The broker, e.g. `mqtt://broker:1883` or `mqtts://broker:8883`."),
    // The broker keeps our QoS 1 session under this id while we are away: it must be
    // stable across restarts and differ between nodes.
    clientId: textMatching(MQTT_CLIENT_ID, "letters, digits, '-' or '_' only, at most 64 characters")
      .meta({ description: "Client id of the persistent session; stable across restarts and different on every node.", defaultText: "`vigil-<hostname>`" }),
    username: z.string({ error: "a string (empty: no username)" }).describe("Broker username; empty: anonymous."),
    password: z.string({ error: "a string (empty: no password)" }).describe("Broker password; empty: none."),
    protocolVersion: wholeNumber(4, 5).describe("5 for MQTT 5; 4 for MQTT 3.1.1."),
    sessionExpirySec: wholeNumber(0).describe("How long an MQTT 5 broker keeps the session and its QoS 1 messages while the node is away."),
    keepaliveSec: wholeNumber(0, 65_535).describe("MQTT keepalive interval; 0 turns it off."),
    reconnectPeriodMs: durationMs(1).describe("Wait between reconnect attempts."),
    connectTimeoutMs: durationMs(1).describe("How long a connection attempt may take."),
    maxPayloadBytes: wholeNumber(1).describe("Larger payloads are rejected as `payload_too_large`."),
    drainTimeoutMs: durationMs(0).describe("At stop, how long the message in hand has to be accepted (and acknowledged)."),
    maxPendingPublishes: wholeNumber(1).describe("QoS 1 publish-backs waiting for the broker before `publish` refuses."),
    // Cluster members subscribe as `$share/<group>/<filter>` so each message reaches one of them;
    // empty: plain subscriptions even in a cluster (a broker without shared subscriptions).
    sharedGroup: textMatching(SHARE_GROUP, "letters, digits, '-' or '_' only (empty: no shared subscriptions)")
      .describe("Share group of a cluster's nodes (`cluster.enabled`): they subscribe as `$share/<group>/<filter>`, so each message goes to one node. Empty: plain subscriptions."),
    // A list of objects: set in the config file only (settings.ts leaves it out of VIGIL_* variables).
    topics: z.array(topicMappingSchema, { error: "a list of topic mappings" })
      .describe("Topic mappings `{topic, payload: \"reading\" | \"fields\", qos, unit, sensor, fields, timestampField, qualityField}`: what to subscribe to and how a message becomes readings (README: Ingest)."),
  }).describe("MQTT ingest and publish-back."),
  ingest: section({
    maxFutureMs: durationMs(0).describe("Readings stamped further ahead than this are rejected (`timestamp_out_of_range`); allows for device clock drift."),
    maxAgeMs: durationMs(1).describe("Readings older than this are rejected (`timestamp_out_of_range`); allows for a gateway's store-and-forward backlog."),
    knownUnits: z.array(textMatching(UNIT_ID, "unit ids of letters, digits, '-' or '_'"), { error: "a list of unit ids" })
      .describe("If not empty, readings of other units are rejected as `unknown_unit`."),
    nats: section({
      enabled: flag().describe("Ingest on `vigil.ingest.reading.<unit>.<sensor>` and `vigil.ingest.batch` on the node's transport."),
      queue: textMatching(NODE_ID, "letters, digits, '-' or '_' only (it is a NATS queue group name)").describe("Queue group, so the nodes of a cluster share the ingest subjects."),
    }),
  }).describe("Reading validation and the NATS ingest connector (HTTP ingest is the control API's `POST /api/v1/ingest`)."),
  opcua: section({
    enabled: flag().describe("Connect the endpoints in `opcua.endpoints` (none by default)."),
    applicationName: text().describe("Application name shown in the OPC UA servers' session lists."),
    pkiDir: text().describe("Vigil's client certificate (made on first use) and the trusted and rejected server certificates."),
    acceptUnknownServerCertificates: flag().describe("Trust any server certificate; otherwise a secured connection trusts only those in `<pkiDir>/trusted/certs`."),
    reconnect: backoff.describe("Retry delay for a first connection that fails: `minMs` first, doubling up to `maxMs`."),
    maxPendingReadings: wholeNumber(1).describe("Readings waiting per endpoint; beyond it they are rejected as `overloaded`."),
    // A list of objects: set in the config file only (settings.ts leaves it out of VIGIL_* variables).
    endpoints: z.array(opcUaEndpointSchema, { error: "a list of OPC UA endpoints" })
      .describe("Endpoints `{name, endpointUrl, securityMode, securityPolicy, username, password, nodes: [{nodeId, unit, sensor, scale, offset}]}` (README: Ingest)."),
    // The simulator's OPC UA server, used when simulator.publishers includes "opcua".
    server: section({
      host: text().describe("Interface the simulator's OPC UA server binds to (publisher `opcua`)."),
      port: port().describe("Port of the simulator's OPC UA server."),
      pkiDir: text().describe("The simulator server's certificate, made once and reused."),
    }),
  }).describe("The OPC UA client connector, and the simulator's OPC UA server."),
  simulator: section({
    enabled: flag().describe("Feed the node from the built-in plant simulator; turn off on a node fed by a real plant."),
    mode: oneOf(SIMULATOR_MODES).describe("`plant`: steady units with injected faults; `run-to-failure`: a fleet wearing out."),
    units: wholeNumber(1, 1_000_000).describe("Simulated units, `UNIT001` onwards."),
    seed: wholeNumber(0, 4_294_967_295).describe("Random seed: the same seed gives the same readings."),
    intervalMs: durationMs(1).describe("Every sensor of every unit reads once per interval."),
    scenarioEveryMs: durationMs(0).describe("Time between random fault scenarios (the first after 10 s); 0: none."),
    publishers: listOf(oneOf(SIMULATOR_PUBLISHERS), "simulator publishers (gateway, mqtt, nats, opcua)")
      .describe("Where readings go: `gateway` (straight into this node), `mqtt`, `nats`, `opcua` (its own OPC UA server)."),
    mqtt: section({
      url: mqttUrl.describe("Broker the `mqtt` publisher publishes to."),
      topicPrefix: textMatching(/^[^#+\s]+$/, "an MQTT topic prefix without wildcards or spaces").describe("Readings go to `<prefix>/<unit>/<sensor>`."),
      qos: wholeNumber(0, 2).describe("QoS of the `mqtt` publisher's messages."),
    }),
    nats: section({
      mode: oneOf(SIMULATOR_NATS_MODES).describe("`batch`: `vigil.ingest.batch` messages; `single`: one message per reading."),
      batchSize: wholeNumber(1).describe("Readings per batch message."),
    }),
    solar: section({
      devices: wholeNumber(0, 1000).describe("Simulated solar devices, `SOLAR001` onwards (ghi, module_temperature, ac_power; over MQTT one message per device on `solar/<device>/data`); 0: none."),
      capacityKw: numberBetween(0.1, 100_000).describe("Each solar device's array rating and inverter limit, kW."),
      latitude: numberBetween(-66, 66).describe("Latitude of the solar devices' site, degrees north (the sun's path and the seasons)."),
      longitude: numberBetween(-180, 180).describe("Longitude of the solar devices' site, degrees east (when local noon falls in UTC)."),
    }),
  }).describe("The plant simulator."),
  // Sensor and unit actors: windows, checks, scoring, unit rules (kindConfig of src/actors/kinds.ts).
  pipeline: pipelineSchema,
  // The history store (src/store): ClickHouse when a URL is set, the embedded store otherwise.
  history: section({
    // Off: the node stores nothing (benches that measure the pipeline alone).
    enabled: flag().describe("Store every accepted reading, its score, unit states and rejections."),
    // How often retention runs (it also runs at start): time-series rows older than the store's retentionDays go.
    retentionCheckMs: durationMs(1000).describe("How often retention runs (it also runs at start)."),
    clickhouse: section({
      url: clickHouseUrl.describe("ClickHouse's HTTP interface, e.g. `http://clickhouse:8123`; empty: the embedded store."),
      // Becomes an identifier in SQL text, so only the characters an unquoted identifier may hold.
      database: textMatching(SQL_IDENTIFIER, "letters, digits and '_', not starting with a digit").describe("Database of Vigil's tables, created by the migrations if missing."),
      username: text().describe("ClickHouse user."),
      password: z.string({ error: "a string (empty: no password)" }).describe("ClickHouse password; empty: none."),
      retentionDays: wholeNumber(0, 36_500).describe("Time-series rows older than this are deleted; 0: keep forever."),
    }),
    embedded: section({
      path: text().describe("File of the embedded store (DuckDB), relative to the working directory; its directory is created; one process at a time."),
      retentionDays: wholeNumber(0, 36_500).describe("Time-series rows older than this (by their own timestamps) are deleted; 0: keep forever."),
    }),
    // The history writer (src/store/writer): batching, its memory bound, retries and the disk spool.
    writer: section({
      spoolDir: text().describe("Batches wait here while the store is unreachable; one writer per directory."),
      batchRows: wholeNumber(1).describe("A batch is inserted at this many rows…"),
      batchDelayMs: durationMs(1).describe("…or this long after its first row."),
      maxQueuedRows: wholeNumber(1).describe("Rows of sealed batches kept in memory; beyond it batches go to the spool."),
      retryInitialMs: durationMs(1).describe("First retry after a failed insert; doubles per failure."),
      retryMaxMs: durationMs(1).describe("Longest wait between retries."),
    }),
  }).describe("The history store: ClickHouse when a URL is set, the embedded store otherwise."),
  // Alarm notifications (src/notify): notifiers, routes, retries, the outbox.
  notify: notifySchema,
  // Alarm rules and management (src/rules, src/actors/alarm): rules file, areas, flood, escalation.
  alarms: alarmsSchema,
  // Trained models (src/ml): the registry's backend.
  models: modelsSchema,
  // The WebSocket feeds (src/http/feeds): route and per-connection limits.
  feeds: feedsSchema,
  // Trainer actors, promotion, schedule, drift, the model registry and its baselines (src/actors/trainer, src/node/models.ts).
  training: trainingSchema,
  // The HTTP server (src/http): control API, WebSocket feeds, dashboard; keys, limits, CORS.
  http: httpSchema,
});

export type VigilConfig = z.infer<typeof configSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];
export type TransportKind = (typeof TRANSPORT_KINDS)[number];
export type ProcessedOutput = (typeof PROCESSED_OUTPUTS)[number];
