/**
 * What a person watching the log sees of the pipeline: unit state changes,
 * anomalies (at most one line per sensor per interval, with a count of the
 * rest), and a periodic summary of readings accepted and rejected. It also
 * counts the rejections actors report (duplicates). It reads the same
 * subjects any other consumer would; nothing here is on the hot path, but
 * it sees every anomaly, so one it does not log costs no parsing.
 */
import { isIngestSource, isRejectionReason, type IngestCounters, type ProcessedReading, type UnitState } from "../actors/readings/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import type { Logger } from "../runtime/log.js";
import type { Subscription, Transport } from "../runtime/transport/index.js";

export interface PipelineLogOptions {
  transport: Transport;
  counters: IngestCounters;
  logger: Logger;
  /** @default 10_000 (10 seconds) */
  summaryEveryMs?: number;
}

const decoder = new TextDecoder();
const ANOMALY_PREFIX = SUBJECTS.anomaly("", "").slice(0, -1); // "vigil.anomaly."

export function watchPipeline(o: PipelineLogOptions): { stop(): void } {
  const every = o.summaryEveryMs ?? 10_000;
  const quietUntil = new Map<string, number>();
  const suppressed = new Map<string, number>();
  let anomalies = 0;

  // Handlers get the subject and a parse on demand: anomalies can be most of
  // what the node publishes (a model flagging a whole plant), and one that
  // is not logged needs nothing but its subject.
  const follow = (subject: string, handle: (subject: string, payload: () => unknown) => void): Subscription => {
    const sub = o.transport.subscribe(subject, { maxPending: 10_000 });
    void (async () => {
      for await (const msg of sub) {
        try {
          handle(msg.subject, () => JSON.parse(decoder.decode(msg.data)) as unknown);
        } catch (err) {
          o.logger.debug({ err, subject: msg.subject }, "could not read a pipeline message");
        }
      }
    })();
    return sub;
  };

  const subs = [
    follow(SUBJECTS.unitStateAll, (_subject, payload) => {
      if (!o.logger.isLevelEnabled("info")) return;
      const s = payload() as UnitState;
      o.logger.info(
        { unit: s.unit, status: s.status, state: s.operationalState, severity: s.severity, category: s.category, health: s.health, sensors: latestValues(s) },
        "unit state",
      );
    }),
    // Rejections found past ingest (duplicates seen by a sensor actor) are counted with the rest.
    follow(SUBJECTS.rejected, (_subject, payload) => {
      const r = payload() as { source?: string; reason?: string };
      if (isIngestSource(r.source) && isRejectionReason(r.reason)) o.counters.reject(r.source, r.reason);
    }),
    follow(SUBJECTS.anomalyAll, (subject, payload) => {
      anomalies++;
      if (!o.logger.isLevelEnabled("warn")) return;
      // vigil.anomaly.<unit>.<sensor>: ids are single tokens, so the key is the subject's tail.
      const key = subject.slice(ANOMALY_PREFIX.length);
      const now = Date.now();
      if ((quietUntil.get(key) ?? 0) > now) {
        suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
        return;
      }
      const r = payload() as ProcessedReading;
      quietUntil.set(key, now + every);
      const more = suppressed.get(key) ?? 0;
      suppressed.delete(key);
      o.logger.warn(
        { unit: r.unit, sensor: r.sensor, value: r.value, score: round(r.score), severity: r.severity, category: r.category, reasons: r.reasons, method: r.method, ...(more > 0 ? { alsoSince: more } : {}) },
        "anomaly",
      );
    }),
  ];

  let last = o.counters.snapshot();
  const timer = setInterval(() => {
    const now = o.counters.snapshot();
    const accepted = sum(now.accepted) - sum(last.accepted);
    const rejected = sumNested(now.rejected) - sumNested(last.rejected);
    last = now;
    o.logger.info({ readingsPerSecond: round((accepted * 1000) / every), rejected, anomalies }, "pipeline");
    anomalies = 0;
  }, every);
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      for (const sub of subs) sub.unsubscribe();
    },
  };
}

function latestValues(s: UnitState): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [sensor, snap] of Object.entries(s.sensors)) out[sensor] = round(snap.value);
  return out;
}

function sum(counts: Partial<Record<string, number>>): number {
  return Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
}

function sumNested(counts: Record<string, Partial<Record<string, number>>>): number {
  return Object.values(counts).reduce((a, c) => a + sum(c), 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
