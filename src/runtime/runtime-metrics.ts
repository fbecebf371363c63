/**
 * Prometheus metrics for an actor system. The runtime keeps plain counters
 * (per kind, per shard) so the hot path never touches prom-client; a scrape
 * gathers them from every worker once and turns them into series here.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { KindStats } from "./kind-registry.js";
import type { ActorSystem, SystemStats } from "./system.js";

/** A scrape reads every metric; they share one stats round trip to the workers. */
const STATS_REUSE_MS = 250;

const KIND_COUNTERS: readonly [keyof KindStats, string, string][] = [
  ["processed", "vigil_actor_messages_processed_total", "Messages handled by actors, per kind"],
  ["failures", "vigil_actor_failures_total", "Actor handler failures, per kind"],
  ["restarts", "vigil_actor_restarts_total", "Supervisor restarts, per kind"],
  ["stops", "vigil_actor_stops_total", "Actors stopped by their supervisor, per kind"],
  ["escalations", "vigil_actor_escalations_total", "Failures escalated to a parent, per kind"],
  ["dropped", "vigil_mailbox_dropped_total", "Messages dropped by drop-oldest mailboxes, per kind"],
  ["refused", "vigil_mailbox_refused_total", "Messages refused under backpressure, per kind"],
  ["coalesced", "vigil_mailbox_coalesced_total", "Tells merged into a waiting message of the same key instead of queued, per kind"],
  ["activations", "vigil_actor_activations_total", "Actor activations, per kind"],
  ["passivations", "vigil_actor_passivations_total", "Actor passivations, per kind"],
];

export function registerActorSystemMetrics(system: ActorSystem, registry: Registry): void {
  let cached: { at: number; stats: Promise<SystemStats> } | undefined;
  const stats = (): Promise<SystemStats> => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > STATS_REUSE_MS) cached = { at: now, stats: system.stats() };
    return cached.stats;
  };

  for (const [field, name, help] of KIND_COUNTERS) {
    // Worker counters restart from zero when a worker is replaced; only growth is added.
    const seen = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ["kind"],
      registers: [registry],
      async collect() {
        for (const [kind, s] of Object.entries((await stats()).kinds)) {
          const delta = s[field] - (seen.get(kind) ?? 0);
          if (delta > 0) this.inc({ kind }, delta);
          seen.set(kind, s[field]);
        }
      },
    });
  }

  new Gauge({
    name: "vigil_actors_active",
    help: "Activated (not passivated) actors, per shard",
    labelNames: ["shard"],
    registers: [registry],
    async collect() {
      (await stats()).shards.forEach((s, i) => this.set({ shard: String(i) }, s.activeActors));
    },
  });
  new Gauge({
    name: "vigil_actor_snapshots_stored",
    help: "Actor snapshots held for reactivation and restart, per shard",
    labelNames: ["shard"],
    registers: [registry],
    async collect() {
      (await stats()).shards.forEach((s, i) => this.set({ shard: String(i) }, s.storedSnapshots));
    },
  });

  const deadLetters = new Counter({
    name: "vigil_runtime_dead_letters_total",
    help: "Messages that reached no actor, by reason code",
    labelNames: ["code"],
    registers: [registry],
  });
  const crashes = new Counter({ name: "vigil_runtime_worker_crashes_total", help: "Shard worker threads that died and were replaced", registers: [registry] });
  const lost = new Counter({ name: "vigil_runtime_messages_lost_total", help: "Messages lost in flight to crashed shard workers", registers: [registry] });
  system.onEvent((event) => {
    if (event.type === "dead-letter") deadLetters.inc({ code: event.code });
    else if (event.type === "worker-crashed") {
      crashes.inc();
      lost.inc(event.lostMessages);
    }
  });
}
