/**
 * The node's control subjects on the transport: `vigil.node.<id>.ping` and
 * `vigil.node.<id>.stats`, answered with JSON. They let an operator or another
 * node check a node over NATS before the HTTP API exists, and prove the
 * transport is wired end to end.
 */
import type { ActorSystem } from "../runtime/index.js";
import type { Logger } from "../runtime/log.js";
import type { Subscription, Transport, TransportMessage } from "../runtime/transport/index.js";

export interface NodeControlOptions {
  nodeId: string;
  transport: Transport;
  system: ActorSystem;
  logger: Logger;
}

const encoder = new TextEncoder();

export function controlSubject(nodeId: string, verb: "ping" | "stats"): string {
  return `vigil.node.${nodeId}.${verb}`;
}

export function serveNodeControl(o: NodeControlOptions): { stop(): void } {
  const startedAt = Date.now();
  const answer = (verb: "ping" | "stats", fn: () => Promise<unknown>): Subscription => {
    const sub = o.transport.subscribe(controlSubject(o.nodeId, verb));
    void (async () => {
      for await (const msg of sub) respond(msg, fn, o.logger);
    })();
    return sub;
  };
  const subs = [
    answer("ping", () => Promise.resolve({ node: o.nodeId, uptimeMs: Date.now() - startedAt })),
    answer("stats", () => o.system.stats()),
  ];
  return { stop: () => subs.forEach((s) => s.unsubscribe()) };
}

function respond(msg: TransportMessage, fn: () => Promise<unknown>, logger: Logger): void {
  if (msg.reply === undefined) return;
  fn().then(
    (value) => msg.respond(encoder.encode(JSON.stringify(value))),
    (err: unknown) => {
      logger.error({ err, subject: msg.subject }, "control request failed");
      msg.respond(encoder.encode(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })));
    },
  );
}
