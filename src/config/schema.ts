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

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export const OVERFLOW_POLICIES = ["backpressure", "drop-oldest"] as const;
export const TRANSPORT_KINDS = ["in-process", "nats"] as const;

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
    nats: section({
      servers: listOf(natsServer, "NATS server URLs"),
      name: text(),
    }),
  }),
});

export type VigilConfig = z.infer<typeof configSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type OverflowPolicy = (typeof OVERFLOW_POLICIES)[number];
export type TransportKind = (typeof TRANSPORT_KINDS)[number];
