/**
 * The value of every setting when nothing overrides it: the embedded,
 * single-node laptop setup. Durations are in milliseconds and say so in their
 * names; the comments give the human reading.
 */
import os from "node:os";
import { deepFreeze } from "./freeze.js";
import type { VigilConfig } from "./schema.js";

/** hostname-pid, with characters a NATS subject token cannot hold replaced. */
function defaultNodeId(): string {
  return `${os.hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

/** Frozen: `load.ts` copies it, nothing may change it in place. */
export const defaults: VigilConfig = deepFreeze({
  node: {
    id: defaultNodeId(),
    name: os.hostname(),
  },
  log: {
    level: "info",
    pretty: false,
  },
  metrics: {
    enabled: true,
    host: "127.0.0.1", // loopback: exposing metrics beyond the host is an explicit choice
    port: 9464, // the port OpenTelemetry's Prometheus exporter uses
  },
  runtime: {
    workers: os.availableParallelism(), // one shard worker per core
    mailboxCapacity: 1024, // messages per actor mailbox
    overflow: "backpressure",
    idleTimeoutMs: 5 * 60 * 1000, // 5 minutes before an idle actor is passivated
    askTimeoutMs: 5 * 1000, // 5 seconds
    snapshotIntervalMs: 1000, // 1 second
    supervision: {
      maxRestarts: 5, // restarts allowed within `withinMs` before escalating
      withinMs: 60 * 1000, // 1 minute
      backoff: {
        minMs: 100, // first restart delay; doubles on each further restart
        maxMs: 10 * 1000, // 10 seconds cap
      },
    },
  },
  transport: {
    kind: "in-process",
    // "each": a message per processed reading on vigil.processed.<unit>.<sensor>. "unit-batch": one message
    // per unit per batch on vigil.batch.processed.<unit> (a JSON array) — far cheaper at high rates.
    processed: "each",
    nats: {
      servers: ["nats://127.0.0.1:4222"],
      name: "vigil", // client connection name shown in the NATS server's monitoring
    },
  },
  cluster: {
    enabled: false, // one node on its own; with transport.kind "nats", true joins the cluster on that NATS
    partitions: 64, // ingest partitions, fixed for the life of the cluster
    replicas: 1, // of the cluster's streams and buckets: 3 on a three-server NATS cluster
    heartbeatMs: 1000, // 1 second between membership heartbeats
    memberTtlMs: 5 * 1000, // 5 seconds unheard: the member is gone
    leaseTtlMs: 4 * 1000, // 4 seconds: a partition lease renewed every second, fenced after 3 without a renewal
    snapshotIntervalMs: 5 * 1000, // 5 seconds between snapshots of each owned partition
    ingestMaxAgeMs: 24 * 60 * 60 * 1000, // 1 day of readings kept for replays
    duplicateWindowMs: 2 * 60 * 1000, // 2 minutes: replays within it produce no second output
    maxInFlight: 1000, // readings of one partition applied but not yet durable
  },
  mqtt: {
    enabled: false, // the embedded setup has no broker; turn on and set `url` to ingest over MQTT
    url: "mqtt://127.0.0.1:1883",
    clientId: `vigil-${os.hostname()}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64), // stable across restarts: the broker keeps our session under it
    username: "", // empty: anonymous
    password: "",
    protocolVersion: 5, // MQTT 5; 4 is MQTT 3.1.1
    sessionExpirySec: 24 * 60 * 60, // 1 day: how long an MQTT 5 broker keeps our QoS 1 messages while we are away
    keepaliveSec: 30,
    reconnectPeriodMs: 1000, // 1 second between reconnect attempts
    connectTimeoutMs: 10 * 1000, // 10 seconds
    maxPayloadBytes: 64 * 1024, // 64 KiB: larger payloads are rejected as payload_too_large
    drainTimeoutMs: 5 * 1000, // 5 seconds for the message in hand to be accepted (and acked) at stop
    maxPendingPublishes: 1000, // publish-backs waiting for the broker before publish refuses
    sharedGroup: "vigil", // cluster members (cluster.enabled) share the topics as $share/vigil/<filter>: each message goes to one node
    topics: [
      { topic: "scada/{unit}/{sensor}", qos: 1, payload: "reading", unit: "{unit}", sensor: "{sensor}" },
      // Solar devices (the simulator's among them): one message per device, one reading per field. The sensor ids keep
      // clear of the plant's sensor types (a plain `power` would be judged by a pump motor's 30–120 kW band); mirrors
      // SOLAR_PAYLOAD_FIELDS in src/actors/simulator/solar-sensors.ts.
      {
        topic: "solar/{device}/data",
        qos: 1,
        payload: "fields",
        unit: "{device}",
        fields: { ghi: "ghi", temperature: "module_temperature", power: "ac_power" },
        timestampField: "timestamp",
        qualityField: "quality",
      },
    ],
  },
  ingest: {
    maxFutureMs: 5 * 60 * 1000, // 5 minutes: generous for device clock drift
    maxAgeMs: 7 * 24 * 60 * 60 * 1000, // 7 days: a gateway's store-and-forward backlog
    knownUnits: [], // empty: any unit; otherwise readings for other units are rejected as unknown_unit
    nats: {
      enabled: true, // vigil.ingest.reading.<unit>.<sensor> and vigil.ingest.batch on the node's transport
      queue: "vigil-ingest", // queue group: nodes share the ingest subjects
    },
  },
  opcua: {
    enabled: true, // connects the endpoints listed in the config file; none by default
    applicationName: "Vigil", // shown in the OPC UA servers' session lists
    pkiDir: ".cache/opcua/client-pki", // Vigil's certificate (made on first use) and the trusted/rejected server certificates
    acceptUnknownServerCertificates: false, // a secured connection trusts only certificates moved to <pkiDir>/trusted/certs
    reconnect: {
      minMs: 1000, // first retry after 1 second; doubles on each further failure
      maxMs: 30 * 1000, // 30 seconds cap
    },
    maxPendingReadings: 10_000, // per endpoint, waiting for the system; beyond it readings are rejected as overloaded
    endpoints: [], // [{ endpointUrl, securityMode, securityPolicy, username, password, nodes: [{ nodeId, unit, sensor, scale, offset }] }]
    server: {
      host: "127.0.0.1", // loopback: serving the simulator beyond the host is an explicit choice
      port: 4840, // the registered OPC UA port
      pkiDir: ".cache/opcua/simulator-pki", // the server's certificate, made once and reused
    },
  },
  simulator: {
    enabled: true, // `npm start` feeds the pipeline from the plant simulator; turn off on a node fed by a real plant
    mode: "plant", // or "run-to-failure": a fleet wearing out, for remaining-useful-life work
    units: 5, // UNIT001..UNIT005
    seed: 1, // the same seed gives the same readings
    intervalMs: 1000, // 1 second: every sensor of every unit reads once per interval
    scenarioEveryMs: 2 * 60 * 1000, // 2 minutes between random scenarios (the first after 10 s), so a demo shows anomalies; 0: none
    publishers: ["gateway"], // in-process, straight into the node's ingest gateway
    mqtt: {
      url: "mqtt://127.0.0.1:1883",
      topicPrefix: "scada", // scada/{unit}/{sensor}
      qos: 0,
    },
    nats: {
      mode: "batch", // "single": one message per reading on vigil.ingest.reading.<unit>.<sensor>
      batchSize: 1000, // readings per vigil.ingest.batch message
    },
    solar: {
      devices: 2, // SOLAR001..SOLAR002, reading at the plant's interval
      capacityKw: 5, // a rooftop-sized array per device
      latitude: 39.74, // Golden, Colorado (NREL)…
      longitude: -105.18, // …so local noon is about 19:00 UTC
    },
  },
  pipeline: {
    sensorTypes: {}, // overrides of the built-in sensor types (temperature, pressure, flow_rate, power, vibration)
    sensor: {
      windows: {
        counts: [5, 10, 30], // readings
        durationsMs: [10_000, 30_000, 60_000], // 10 s, 30 s, 60 s
      },
      ewmaAlpha: 0.2, // weight of the newest value in the EWMA
      maxSamples: 4096, // samples a sensor keeps at most, bounding its time windows at high rates
      baselineMs: 2 * 60 * 1000, // 2 minutes: time constant of the slow baseline wear gaps are measured from
      stuck: {
        readings: 10, // a flat line: this many equal readings in a row…
        ms: 0, // …spanning at least this long (0: any span)
        tolerance: 0, // changes up to this much count as equal
      },
      scoring: {
        zCentre: 5, // |z| scored 0.5
        zSteepness: 1.5, // of the logistic around zCentre
        minSamples: 10, // readings in the baseline before z-scores count
        anomalyThreshold: 0.5, // a reading is anomalous from this combined score
        noiseAlpha: 0.02, // weight of each normal reading in the learned noise scale
      },
      unitUpdateIntervalMs: 1000, // 1 second: routine updates to the unit actor; changes go at once
      driftHorizonMs: 2 * 60 * 1000, // 2 minutes: a trend that leaves the normal band within this is drift
      wearGap: 3, // while its unit sees wear, a reading is flagged `degradation` from this wear gap (noise sd)
    },
    unit: {
      offlineAfterMs: 30 * 1000, // 30 seconds without a reading
      startupMs: 5 * 60 * 1000, // 5 minutes of STARTUP after coming online
      sustainedAnomalyMs: 30 * 1000, // 30 seconds of unbroken anomaly is DEGRADED
      faultBadQualitySensors: 2, // BAD sensors that make a FAULT
      wearGap: 4, // the unit sees wear when a rising and a falling sensor each show this wear gap (noise sd)…
      wearReleaseGap: 2, // …and stops seeing it when either side is back below this
    },
  },
  history: {
    enabled: true, // every accepted reading, its score, unit states and rejections are kept
    retentionCheckMs: 60 * 60 * 1000, // retention runs hourly (and at start)
    clickhouse: {
      url: "", // empty: the embedded store; e.g. http://127.0.0.1:8123 for ClickHouse's HTTP interface
      database: "vigil", // created by the migrations if missing
      username: "default",
      password: "",
      retentionDays: 365, // 1 year of history, then removed (see src/store/clickhouse/retention.ts); 0: keep forever
    },
    embedded: {
      path: ".cache/history/vigil.duckdb", // one file; its directory is created on first use
      retentionDays: 365, // as ClickHouse: 1 year of time series (by the readings' own timestamps, imported ones too), then deleted; 0: keep forever
    },
    writer: {
      spoolDir: ".cache/history/spool", // batches wait here while the store is unreachable; one writer per directory
      batchRows: 10_000, // a batch is inserted at this many rows…
      batchDelayMs: 1000, // …or 1 second after its first row
      maxQueuedRows: 100_000, // rows of sealed batches kept in memory; beyond it, batches go to the spool
      retryInitialMs: 100, // first retry after a failed insert; doubles per failure
      retryMaxMs: 10 * 1000, // 10 seconds at most between retries
    },
  },
  notify: {
    enabled: true, // nothing is sent until the config file lists notifiers and routes
    outboxDir: ".cache/notify/outbox", // undelivered notifications and dead letters; one node per directory
    secretsFile: "", // empty: secrets from the environment only
    concurrency: 4, // attempts in flight per notifier
    timeoutMs: 10 * 1000, // 10 seconds per attempt, so a peer that never answers cannot hold a slot
    maxPending: 20_000, // items waiting per notifier (each held in memory, about 1 KB); beyond it new ones are dead-lettered at once
    retry: {
      maxAttempts: 10, // then the item becomes a dead letter
      initialMs: 1000, // 1 second before the first retry; doubles per failure, with jitter
      maxMs: 5 * 60 * 1000, // 5 minutes at most between attempts (10 attempts span about 13 minutes)
    },
    signatureToleranceMs: 5 * 60 * 1000, // 5 minutes: webhook receivers refuse older signatures (replay)
    notifiers: [], // [{ type: "webhook" | "slack" | "email" | "mqtt", name, ... }] — see README
    routes: [], // [{ severities?, unitGroups?, events?, notifiers: [names] }]
    unitGroups: {}, // { name: [unit ids or patterns with '*'] }
  },
  alarms: {
    rulesFile: "", // empty: the shipped rules only; else a JSON list of rules (README: Alarms)
    defaultRules: true, // the shipped rules (temperature above its 50 °C trip limit is CRITICAL, …)
    areas: {}, // { name: [unit ids or patterns with '*'] }; units in none are in area "default"
    flood: {
      threshold: 10, // more than 10 alarms raised in one area…
      windowMs: 10 * 60 * 1000, // …within 10 minutes is a flood: one system alarm
    },
    escalationDelayMs: 15 * 60 * 1000, // 15 minutes unacknowledged: notified again as escalated
    maxShelveMs: 24 * 60 * 60 * 1000, // 1 day at most on the shelf
  },
  models: {
    registry: {
      kind: "auto", // the filesystem on a node of its own, "jetstream" when cluster.enabled (shared by the nodes, on transport.nats.servers)
      fs: {
        root: ".cache/models", // one directory per model; one node per root
      },
      jetstream: {
        bucket: "vigil-models", // the object store and key-value bucket; the change stream is <bucket>-changes; replicas: cluster.replicas
      },
    },
    enabled: true, // Production models score; with none (a fresh registry) everything is scored by rules and says RULES
    scoring: {
      batchRows: 1024, // a worker's batch of one model runs at this many rows…
      flushMs: 0, // …or as soon as the worker's task that added its first row ends (a drain pass); > 0: this long after that row
      maxQueuedRows: 16_384, // rows waiting per model per worker; beyond, readings are scored by rules (counted as overloaded)
      anomalyThreshold: 0.6, // an anomaly (isolation forest) score at or above this is anomalous, unless the version says otherwise
      healthyRulHours: 500, // health = min(1, RUL / this): a unit with 500 h or more of remaining life is fully healthy
    },
    predict: {
      maxRows: 1024, // rows per POST /api/v1/predict at most: one micro-batch
      maxSessions: 8, // model versions loaded for the predict route at once (LRU beyond)
    },
    forecast: {
      mqtt: false, // true: solar forecasts are published back to the MQTT broker (mqtt.enabled)…
      topic: "solar/{device}/forecast", // …on this topic, {device} being the device id
    },
  },
  feeds: {
    path: "/ws",
    maxPayloadBytes: 16 * 1024, // 16 KiB: a subscribe message of a few hundred patterns
    maxSubscriptions: 1024, // kind × unit × sensor triples per connection
    maxMessagesPerSec: 50, // client messages per second (as many in a burst); the excess is refused
    idleTimeoutSec: 60, // closed after 60 s without traffic; the server pings well within it
    conflateAboveBytes: 1024 * 1024, // 1 MiB unsent: the client gets latest values per key from here
    disconnectAboveBytes: 16 * 1024 * 1024, // 16 MiB unsent: disconnected
    maxConflatedKeys: 1_000_000, // keys held back for one slow client before it is disconnected
    maxBehindMs: 30 * 1000, // 30 seconds behind before it is disconnected
    snapshotFrameEvents: 1000, // events per snapshot (and catch-up) frame
  },
  training: {
    enabled: true, // trainers run weekly and on demand
    kinds: ["anomaly", "unit_state", "unit_rul", "solar_forecast"],
    baselineDir: "models", // the checked-in baselines seed an empty registry at start
    windowMs: 7 * 24 * 60 * 60 * 1000, // 7 days of history per training run
    maxRows: 50_000, // the newest 50,000 feature rows at most (about 100 MB for 5-sensor unit features)
    holdoutFraction: 0.2, // the newest 20 % of the rows are the holdout
    promotionMargin: 0.05, // 5 % better on the primary metric, or the new version stays in Staging
    schedule: "0 3 * * 0", // Sundays 03:00 UTC
    seed: 1,
    threads: 1, // training is one core's work; the node keeps the rest
    drift: {
      threshold: 0.2, // PSI above 0.2 on any feature: drifted
      checkEveryMs: 60 * 60 * 1000, // hourly
      recentMs: 24 * 60 * 60 * 1000, // the last day (its first 5 minutes of every hour) against the training data, once the history spans it
    },
  },
  http: {
    enabled: true, // the control API, feeds and dashboard on one port
    host: "127.0.0.1", // loopback: serving beyond the host is an explicit choice (and needs keys)
    port: 8080,
    maxBodyBytes: 1024 * 1024, // 1 MiB per request
    drainTimeoutMs: 5 * 1000, // 5 seconds for in-flight requests at shutdown
    keys: [], // [{ id, role: "viewer" | "operator" | "admin", sha256 }]; empty: a one-time admin key is printed at start
    cors: {
      origins: [], // no browser origin but the server's own
    },
    rateLimit: {
      perSecond: 50, // per key, on average…
      burst: 100, // …with this many at once
    },
    auditEntries: 1000, // control actions kept for GET /api/v1/audit (all of them go to the log)
    devicesFile: ".cache/devices/devices.json",
  },
});
