/**
 * Why a reading was rejected. Every boundary counts its rejections by reason
 * and by source, so an operator can see what a device is doing wrong.
 */
import { Counter, type Registry } from "prom-client";
import type { IngestSource } from "./reading.js";

export const REJECTION_REASONS = [
  "malformed_topic",
  "malformed_payload",
  "payload_too_large",
  "invalid_id",
  "not_a_number",
  "invalid_quality",
  "timestamp_out_of_range",
  "unknown_unit",
  "duplicate",
  "overloaded",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export function isRejectionReason(r: unknown): r is RejectionReason {
  return typeof r === "string" && (REJECTION_REASONS as readonly string[]).includes(r);
}

export interface Rejection {
  readonly reason: RejectionReason;
  /** What was wrong, for the log and the API: "value: expected a finite number, got NaN". */
  readonly detail: string;
}

export type RejectionCounts = Record<string, Partial<Record<RejectionReason, number>>>;

/** Accepted and rejected readings per source, as metrics and as a plain snapshot for the API. */
export class IngestCounters {
  private readonly rejectedCounter: Counter<"source" | "reason">;
  private readonly rejected: RejectionCounts = {};
  private readonly accepted: Partial<Record<IngestSource, number>> = {};

  constructor(registry?: Registry) {
    const registers = registry === undefined ? [] : [registry];
    this.rejectedCounter = new Counter({
      name: "vigil_ingest_rejected_total",
      help: "Readings rejected at ingest, by source and reason",
      labelNames: ["source", "reason"],
      registers,
    });
    const accepted = this.accepted;
    new Counter<"source">({
      name: "vigil_ingest_readings_total",
      help: "Readings accepted at ingest, by source",
      labelNames: ["source"],
      registers,
      // Handed over when read rather than on each accept: inc() builds and hashes a label set per call, and single-reading ingest accepts per message.
      collect() {
        this.reset();
        for (const [source, count] of Object.entries(accepted)) this.inc({ source }, count);
      },
    });
  }

  reject(source: IngestSource, reason: RejectionReason, count = 1): void {
    const bySource = (this.rejected[source] ??= {});
    bySource[reason] = (bySource[reason] ?? 0) + count;
    this.rejectedCounter.inc({ source, reason }, count);
  }

  accept(source: IngestSource, count = 1): void {
    this.accepted[source] = (this.accepted[source] ?? 0) + count;
  }

  snapshot(): { accepted: Partial<Record<IngestSource, number>>; rejected: RejectionCounts } {
    return { accepted: { ...this.accepted }, rejected: structuredClone(this.rejected) };
  }

  rejectedCount(source: IngestSource, reason: RejectionReason): number {
    return this.rejected[source]?.[reason] ?? 0;
  }
}
