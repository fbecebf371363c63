/**
 * The `models` section: where trained models and their stages live. The
 * filesystem registry is the embedded default; a cluster shares a JetStream
 * registry on the node's NATS servers (transport.nats.servers), so every
 * node sees every promotion.
 */
import { oneOf, section, text, textMatching, wholeNumber } from "./fields.js";

export const MODEL_REGISTRY_KINDS = ["fs", "jetstream"] as const;
export type ModelRegistryKind = (typeof MODEL_REGISTRY_KINDS)[number];

/** A JetStream registry bucket: it names an object store, a key-value bucket and a stream, and is a subject token — no dots or spaces. */
export const MODEL_BUCKET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const modelsSchema = section({
  registry: section({
    kind: oneOf(MODEL_REGISTRY_KINDS),
    fs: section({
      root: text(),
    }),
    jetstream: section({
      bucket: textMatching(MODEL_BUCKET_NAME, "letters, digits, '_' or '-' only, at most 64 characters"),
      replicas: wholeNumber(1, 5),
    }),
  }),
});
