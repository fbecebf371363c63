/**
 * The node's history: the store the config picks (ClickHouse, or the
 * embedded DuckDB file by default), the HistoryWriter in front of it, and
 * periodic retention.
 *
 * How rows reach the writer, and why this way: the writer is fed by direct
 * calls, never through a transport subscription. A subscription is bounded
 * and drops messages once its consumer falls behind (the pipeline log's
 * does, by design), so history fed from one would silently miss rows under
 * exactly the load that matters. Instead:
 * - `tap` sits on the node outlet — the one function every actor's
 *   publication passes through on its way to the transport — and turns
 *   processed readings (each one also its raw reading: a sensor actor emits
 *   exactly one per reading it accepts), unit state changes and rejections
 *   found by actors (duplicates) into rows;
 * - `alarms` is where the alarm service (alarms.ts, itself fed by the same
 *   outlet tap) hands every transition and operator feedback label;
 * - `rejected` is the ingest gateway's rejection hook (bad payloads,
 *   NaN, unknown units, … found before any actor sees the reading).
 * Both are synchronous calls into the writer, whose memory is bounded and
 * overflows to its disk spool; only if even the spool falls behind does it
 * refuse rows, and those are counted (vigil_history_rows_dropped_total
 * {reason="overloaded"}) — a visible, declared overflow, not a silent one.
 */
import type { Registry } from "prom-client";
import { Counter } from "prom-client";
import type { RejectedReading } from "../actors/ingest/index.js";
import { isIngestSource, isRejectionReason, type ProcessedReading, type UnitState } from "../actors/readings/index.js";
import { SUBJECTS } from "../actors/subjects.js";
import type { VigilConfig } from "../config/index.js";
import type { Logger } from "../runtime/log.js";
import { HistoryWriter, openHistoryStore, type HistoryStore, type RejectionRow } from "../store/index.js";
import type { AlarmHistorySink } from "./alarms.js";

export interface NodeHistory {
  readonly store: HistoryStore;
  readonly writer: HistoryWriter;
  /** Every publication of the node's actors, as it goes out on the outlet. */
  readonly tap: (subject: string, json: string) => void;
  /** A reading the ingest gateway rejected. */
  readonly rejected: (rejection: RejectedReading) => void;
  /** Alarm transitions and operator feedback labels from the alarm service. */
  readonly alarms: AlarmHistorySink;
  /** Stops retention, flushes the writer (into the store while it answers, else onto the spool) and closes the store. */
  stop(): Promise<void>;
}

const PROCESSED_PREFIX = SUBJECTS.processedAll.slice(0, -1); // "vigil.processed."
const [UNIT_STATE_PREFIX = "", UNIT_STATE_SUFFIX = ""] = SUBJECTS.unitStateAll.split("*"); // "vigil.unit.", ".state"
/** Rejection details are for people; a flood of huge ones must not fill the disk. */
const MAX_DETAIL = 500;

export async function startNodeHistory(config: VigilConfig, deps: { logger: Logger; registry: Registry }): Promise<NodeHistory> {
  const log = deps.logger.child({ part: "history" });
  const store = await openHistoryStore(config.history, log);
  let writer: HistoryWriter;
  try {
    writer = await HistoryWriter.open({ ...config.history.writer, store, log, registry: deps.registry });
  } catch (err) {
    await store.close();
    throw err;
  }
  const unreadable = new Counter({
    name: "vigil_history_unreadable_publications_total",
    help: "Actor publications the history tap could not turn into rows (not JSON, or a non-finite number); not stored",
    registers: [deps.registry],
  });
  const retention = startRetention(store, config.history.retentionCheckMs, log);

  const tap = (subject: string, json: string): void => {
    try {
      if (subject.startsWith(PROCESSED_PREFIX)) {
        const r = JSON.parse(json) as ProcessedReading;
        if (!isFiniteReading(r)) return void unreadable.inc();
        const raw = { unit: r.unit, sensor: r.sensor, ts: r.ts, value: r.value, quality: r.quality, source: r.source, receivedAt: r.receivedAt };
        writer.writeRaw(raw);
        writer.write({
          ...raw,
          anomaly: r.anomaly,
          score: r.score,
          severity: r.severity,
          category: r.category,
          method: r.method,
          modelVersion: r.model_version,
          reasons: r.reasons,
          processedAt: r.processedAt,
        });
      } else if (subject.startsWith(UNIT_STATE_PREFIX) && subject.endsWith(UNIT_STATE_SUFFIX)) {
        const s = JSON.parse(json) as UnitState;
        if (!Number.isFinite(s.health) || !Number.isSafeInteger(s.updatedAt)) return void unreadable.inc();
        // A unit state is a prediction of kind "operational_state": the state as its label, health as its value, the method as its model version.
        writer.writePrediction({ unit: s.unit, kind: "operational_state", ts: s.updatedAt, value: s.health, label: s.operationalState, modelVersion: s.method });
      } else if (subject === SUBJECTS.rejected) {
        const r = JSON.parse(json) as { source?: unknown; reason?: unknown; unit?: unknown; sensor?: unknown; detail?: unknown };
        if (!isIngestSource(r.source) || !isRejectionReason(r.reason)) return void unreadable.inc();
        // Counted when rejected, like the gateway's: the reading's own ts may be anything.
        const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
        writer.writeRejection(rejectionRow({ ts: Date.now(), source: r.source, reason: r.reason, unit: text(r.unit), sensor: text(r.sensor), detail: text(r.detail) ?? "" }));
      }
      // Anomalies are processed readings, stored already; alarm transitions come through `alarms`.
    } catch (err) {
      unreadable.inc();
      log.debug({ err, subject }, "history: could not read a publication");
    }
  };

  return {
    store,
    writer,
    tap,
    rejected: (rejection) => void writer.writeRejection(rejectionRow(rejection)),
    alarms: {
      alarmEvent: (row) => void writer.writeAlarmEvent(row),
      label: (row) => void writer.writeLabel(row),
    },
    async stop() {
      await retention.stop();
      try {
        await writer.close();
      } finally {
        await store.close();
      }
      const { queuedRows, spoolBatches } = writer.status();
      log.info({ queuedRows, spoolBatches }, "history writer closed");
    },
  };
}

function isFiniteReading(r: ProcessedReading): boolean {
  return Number.isFinite(r.value) && Number.isFinite(r.score) && Number.isSafeInteger(r.ts) && Number.isSafeInteger(r.receivedAt) && Number.isSafeInteger(r.processedAt);
}

function rejectionRow(r: Omit<RejectedReading, "detail"> & { detail: string }): RejectionRow {
  return { ts: r.ts, source: r.source, reason: r.reason, unit: r.unit, sensor: r.sensor, detail: r.detail.length > MAX_DETAIL ? `${r.detail.slice(0, MAX_DETAIL)}…` : r.detail };
}

/** Runs the store's retention now and every `everyMs`, one run at a time; stop() waits for a run under way. */
function startRetention(store: HistoryStore, everyMs: number, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const run = (): void => {
    running = running.then(async () => {
      try {
        const removed = await store.enforceRetention();
        if (removed.length > 0) log.info({ removed }, "history retention removed old rows");
      } catch (err) {
        log.warn({ err }, "history retention failed; it runs again later");
      }
    });
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
