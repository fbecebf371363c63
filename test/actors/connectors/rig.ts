/**
 * The test rig for connectors: a real in-thread actor system hosting the
 * recording `sensor` fixture, the real ingest gateway and counters, and
 * helpers to wait for a connector's status or a counter. Waits are bounded
 * by a deadline so a broken test fails with what it was waiting for.
 */
import { pino, type Logger } from "pino";
import { IngestGateway } from "../../../src/actors/ingest/index.js";
import { DEFAULT_READING_LIMITS, IngestCounters, type IngestSource, type ReadingLimits, type RejectionReason } from "../../../src/actors/readings/index.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { sensorRecorder, type SensorRecorder } from "../../fixtures/sensor-recorder.js";

export const DEADLINE_MS = 15_000;

export interface Rig {
  readonly system: ActorSystem;
  readonly sensors: SensorRecorder;
  readonly counters: IngestCounters;
  readonly gateway: IngestGateway;
  /** Rejections counted for `source` and `reason` since the rig started. */
  rejected(source: IngestSource, reason: RejectionReason): number;
  stop(): Promise<void>;
}

export async function startRig(options: { limits?: Partial<ReadingLimits>; mailboxCapacity?: number } = {}): Promise<Rig> {
  const sensors = sensorRecorder(options.mailboxCapacity === undefined ? {} : { mailboxCapacity: options.mailboxCapacity });
  const system = await createActorSystem({ workers: 0, kinds: [sensors.kind], log: silentLog });
  const counters = new IngestCounters();
  const gateway = new IngestGateway({ system, counters, log: silentLog, limits: { ...DEFAULT_READING_LIMITS, ...options.limits } });
  return {
    system,
    sensors,
    counters,
    gateway,
    rejected: (source, reason) => counters.rejectedCount(source, reason),
    stop: () => system.stop(),
  };
}

/** Waits for `promise`, failing with `what` after the deadline. */
export async function within<T>(what: string, promise: Promise<T>, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting for ${what} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves with the first status (now or later) that satisfies `predicate`. */
export function statusUntil<S>(
  source: { status(): S; onStatus(listener: (s: S) => void): () => void },
  what: string,
  predicate: (s: S) => boolean,
): Promise<S> {
  const now = source.status();
  if (predicate(now)) return Promise.resolve(now);
  let off = (): void => undefined;
  const reached = new Promise<S>((resolve) => {
    off = source.onStatus((s) => {
      if (!predicate(s)) return;
      off();
      resolve(s);
    });
  });
  return within(what, reached).finally(() => off());
}

/** A logger that keeps its records, so a test can wait for one (e.g. a warning). */
export function capturingLog(): { log: Logger; until(what: string, match: (record: Record<string, unknown>) => boolean): Promise<void> } {
  const records: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  const log = pino({ level: "debug" }, {
    write(line: string) {
      records.push(JSON.parse(line) as Record<string, unknown>);
      for (const check of [...waiters]) check();
    },
  });
  return {
    log,
    until(what, match) {
      return within(what, new Promise<void>((resolve) => {
        const check = (): void => {
          if (!records.some(match)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }));
    },
  };
}

/** An ISO timestamp `offsetMs` from now, for payloads. */
export function isoAgo(offsetMs: number): string {
  return new Date(Date.now() - offsetMs).toISOString();
}
