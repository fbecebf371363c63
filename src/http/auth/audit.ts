/**
 * The audit trail of control actions: every non-GET request that reached a
 * route, who made it (the key id), what (method and path), when and how it
 * ended. Each entry goes to the log (part "audit") and into a bounded ring
 * that admins read at GET /api/v1/audit.
 */
import type { Logger } from "../../runtime/log.js";

export interface AuditEntry {
  /** Epoch ms when the request arrived. */
  readonly at: number;
  /** The key id, or null when no key was recognised. */
  readonly who: string | null;
  readonly role: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** "ok" for 2xx/3xx, else the error code of the answer (or "error" when it had none). */
  readonly result: string;
  readonly durationMs: number;
}

export class AuditLog {
  private readonly ring: (AuditEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(
    capacity: number,
    private readonly log: Logger,
  ) {
    this.ring = new Array<AuditEntry | undefined>(capacity);
  }

  record(entry: AuditEntry): void {
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.ring.length;
    this.count = Math.min(this.count + 1, this.ring.length);
    this.log.info({ audit: entry }, "control action");
  }

  /** Newest first. */
  entries(limit = this.count): AuditEntry[] {
    const out: AuditEntry[] = [];
    for (let i = 1; i <= Math.min(limit, this.count); i++) {
      const e = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}
