/**
 * Health of the node's parts, for GET /api/v1/health. Each subsystem
 * (transport, MQTT, OPC UA, history store, models, simulator, WebSocket
 * clients, …) registers a probe; a part added later registers its own, so
 * this file never learns what the parts are. A probe that throws or takes
 * longer than the timeout counts as down.
 */
export const SUBSYSTEM_STATUSES = ["ok", "degraded", "down", "disabled"] as const;
export type SubsystemStatus = (typeof SUBSYSTEM_STATUSES)[number];

export interface SubsystemHealth {
  readonly status: SubsystemStatus;
  /** Free-form figures for /health/detailed (connection state, queue sizes, …). */
  readonly detail?: Record<string, unknown>;
}

export type HealthProbe = () => SubsystemHealth | Promise<SubsystemHealth>;

/**
 * The node's overall status: "down" when a critical subsystem (one the node
 * cannot work without, e.g. its transport) is down, "degraded" when any other
 * is not ok, else "ok"; "disabled" ones do not count.
 */
export type OverallStatus = "ok" | "degraded" | "down";

export interface HealthReport {
  readonly status: OverallStatus;
  readonly subsystems: Record<string, SubsystemHealth>;
}

const PROBE_TIMEOUT_MS = 2000;

export class HealthRegistry {
  private readonly probes = new Map<string, { probe: HealthProbe; critical: boolean }>();

  /** Adds (or replaces) a subsystem's probe; returns a function that removes it. */
  register(name: string, probe: HealthProbe, options: { critical?: boolean } = {}): () => void {
    const entry = { probe, critical: options.critical ?? false };
    this.probes.set(name, entry);
    return () => {
      if (this.probes.get(name) === entry) this.probes.delete(name);
    };
  }

  names(): string[] {
    return [...this.probes.keys()];
  }

  async check(): Promise<HealthReport> {
    const entries = await Promise.all([...this.probes].map(async ([name, { probe, critical }]) => ({ name, critical, health: await run(probe) })));
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const subsystems = Object.fromEntries(entries.map((e) => [e.name, e.health]));
    const status: OverallStatus = entries.some((e) => e.critical && e.health.status === "down")
      ? "down"
      : entries.some((e) => e.health.status === "down" || e.health.status === "degraded")
        ? "degraded"
        : "ok";
    return { status, subsystems };
  }
}

async function run(probe: HealthProbe): Promise<SubsystemHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SubsystemHealth>((resolve) => {
    timer = setTimeout(() => resolve({ status: "down", detail: { error: `no answer within ${PROBE_TIMEOUT_MS} ms` } }), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(probe), timeout]);
  } catch (err) {
    return { status: "down", detail: { error: err instanceof Error ? err.message : String(err) } };
  } finally {
    clearTimeout(timer);
  }
}
