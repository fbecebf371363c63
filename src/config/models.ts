/**
 * The `models` section: where trained models and their stages live. The
 * filesystem registry is the embedded default; a cluster shares a JetStream
 * registry on the node's NATS servers (transport.nats.servers, with
 * cluster.replicas), so every node sees every promotion. "auto" picks
 * JetStream when cluster.enabled, the filesystem otherwise. Scoring: whether
 * the workers score with the Production versions, their batches, and the
 * solar forecast's way back over MQTT, and the on-demand predict route's bounds.
 */
import { z } from "zod";
import { durationMs, flag, oneOf, section, text, textMatching, wholeNumber } from "./fields.js";

export const MODEL_REGISTRY_KINDS = ["auto", "fs", "jetstream"] as const;
export type ModelRegistryKind = (typeof MODEL_REGISTRY_KINDS)[number];

/** A JetStream registry bucket: it names an object store, a key-value bucket and a stream, and is a subject token — no dots or spaces. */
export const MODEL_BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const modelsSchema = section({
  registry: section({
    kind: oneOf(MODEL_REGISTRY_KINDS).describe(
      "`auto`: `jetstream` when `cluster.enabled`, else `fs`; `fs`: a directory on this node; `jetstream`: shared by the nodes of a cluster, on `transport.nats.servers`.",
    ),
    fs: section({
      root: text().describe("Directory of the filesystem registry, one directory per model; one node per root."),
    }),
    jetstream: section({
      bucket: textMatching(MODEL_BUCKET_NAME, "letters, digits, '_' or '-' only, at most 64 characters")
        .describe("Object store and key-value bucket of the JetStream registry; its change stream is `<bucket>-changes`; replicas as `cluster.replicas`."),
    }),
  }),
  enabled: flag().describe("Score with the registry's Production models on every shard worker; off: no model path at all (sensors say `STATISTICAL`, units are assessed by rules)."),
  scoring: section({
    batchRows: wholeNumber(1, 65_536).describe("A worker runs one model's batch at this many rows…"),
    flushMs: durationMs(0).describe("…or this long after the batch's first row; 0: as soon as the worker's task that added that row ends (its drain pass), with no timer."),
    maxQueuedRows: wholeNumber(1).describe("Rows waiting per model per worker at most; beyond, readings are scored by rules (counted as `overloaded`)."),
    anomalyThreshold: z
      .number({ error: "a number from 0 to 1" })
      .min(0, { error: "a number from 0 to 1" })
      .max(1, { error: "a number from 0 to 1" })
      .describe("An `anomaly` model's score at or above this is anomalous, unless the version carries its own `threshold` (params or metrics)."),
    healthyRulHours: z
      .number({ error: "a number of hours > 0" })
      .positive({ error: "a number of hours > 0" })
      .describe("Health from remaining useful life: min(1, RUL hours / this)."),
  }),
  predict: section({
    maxRows: wholeNumber(1, 100_000).describe("Feature rows one `POST /api/v1/predict` may score at most; a bigger batch is refused (413 `VIGIL_API_BATCH_TOO_LARGE`)."),
    maxSessions: wholeNumber(1, 1000).describe(
      "Model versions the predict route keeps loaded in onnxruntime on the main thread at most; the least recently used one is released beyond.",
    ),
  }),
  forecast: section({
    mqtt: flag().describe(
      "Publish solar power forecasts (`solar_forecast`) back to the MQTT broker (needs `mqtt.enabled`), a registered device's (`http.devicesFile`) clipped to [0, its capacity] as the forecast API answers it.",
    ),
    topic: textMatching(/^[^#+\s$][^#+\s]*\{device\}[^#+\s]*$/, "an MQTT topic with {device} and no wildcards or spaces, e.g. solar/{device}/forecast").describe(
      "Topic of a device's forecast; `{device}` is the device (unit) id.",
    ),
  }),
}).describe("Trained models: the registry's backend, and scoring with its Production versions on the shard workers.");
