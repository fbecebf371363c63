/**
 * Notification metrics (prom-client), all labelled by notifier: delivered,
 * failed attempts, retries scheduled, dead letters, and items pending.
 */
import { Counter, Gauge, type Registry } from "prom-client";

export class NotifyMetrics {
  readonly sent: Counter<"notifier">;
  readonly failedAttempts: Counter<"notifier">;
  readonly retries: Counter<"notifier">;
  readonly deadLetters: Counter<"notifier">;
  readonly pending: Gauge<"notifier">;

  constructor(registry?: Registry) {
    const registers = registry === undefined ? [] : [registry];
    this.sent = new Counter({ name: "vigil_notify_sent_total", help: "Notifications a notifier delivered", labelNames: ["notifier"], registers });
    this.failedAttempts = new Counter({
      name: "vigil_notify_failed_attempts_total",
      help: "Delivery attempts that failed (refused, timed out or the peer unreachable)",
      labelNames: ["notifier"],
      registers,
    });
    this.retries = new Counter({ name: "vigil_notify_retries_total", help: "Retries scheduled after a failed attempt", labelNames: ["notifier"], registers });
    this.deadLetters = new Counter({
      name: "vigil_notify_dead_letters_total",
      help: "Notifications given up on after the last try (or refused outright), kept on disk as dead letters",
      labelNames: ["notifier"],
      registers,
    });
    this.pending = new Gauge({ name: "vigil_notify_pending", help: "Notifications waiting for delivery", labelNames: ["notifier"], registers });
  }
}
