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
    nats: {
      servers: ["nats://127.0.0.1:4222"],
      name: "vigil", // client connection name shown in the NATS server's monitoring
    },
  },
});
