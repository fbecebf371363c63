/**
 * The feeds' metrics. Hot-path counts are summed per flush and added once,
 * not incremented per client per event.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { FeedErrorCode } from "./protocol.js";

export const UPGRADE_REFUSALS = ["unauthenticated", "shutting_down"] as const;
export type UpgradeRefusal = (typeof UPGRADE_REFUSALS)[number];
export const DISCONNECT_REASONS = ["slow_consumer", "shutdown"] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

export class FeedMetrics {
  readonly clients: Gauge;
  readonly eventsDelivered: Counter;
  readonly framesSent: Counter;
  readonly eventsConflated: Counter;
  readonly conflations: Counter;
  readonly disconnects: Counter<"reason">;
  readonly upgradesRefused: Counter<"reason">;
  readonly clientErrors: Counter<"code">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.clients = new Gauge({ name: "vigil_feed_clients", help: "WebSocket feed clients connected", registers });
    this.eventsDelivered = new Counter({ name: "vigil_feed_events_delivered_total", help: "Feed events handed to client sockets (each client's copy counts)", registers });
    this.framesSent = new Counter({ name: "vigil_feed_frames_sent_total", help: "WebSocket frames sent to feed clients (events, snapshots, acks, errors)", registers });
    this.eventsConflated = new Counter({
      name: "vigil_feed_events_conflated_total",
      help: "Events held back for a slow client as its latest value per key (superseded ones are never sent)",
      registers,
    });
    this.conflations = new Counter({ name: "vigil_feed_conflations_total", help: "Times a client fell behind and was switched to conflated updates", registers });
    this.disconnects = new Counter({ name: "vigil_feed_disconnects_total", help: "Feed clients closed by the server, by reason", labelNames: ["reason"], registers });
    this.upgradesRefused = new Counter({ name: "vigil_feed_upgrades_refused_total", help: "WebSocket upgrades refused, by reason", labelNames: ["reason"], registers });
    this.clientErrors = new Counter({ name: "vigil_feed_client_errors_total", help: "Client messages refused, by error code", labelNames: ["code"], registers });
    for (const reason of DISCONNECT_REASONS) this.disconnects.inc({ reason }, 0);
    for (const reason of UPGRADE_REFUSALS) this.upgradesRefused.inc({ reason }, 0);
  }

  refused(code: FeedErrorCode): void {
    this.clientErrors.inc({ code });
  }
}
