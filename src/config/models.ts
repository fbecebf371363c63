/**
 * The `models` section: where trained models and their stages live. The
 * filesystem registry is the embedded default; a cluster shares a JetStream
 * registry on the node's NATS servers (transport.nats.servers, with
 * cluster.replicas), so every node sees every promotion. "auto" picks
 * JetStream when cluster.enabled, the filesystem otherwise.
 */
import { oneOf, section, text, textMatching } from "./fields.js";

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
}).describe("Trained models: the registry's backend.");
