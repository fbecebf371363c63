/**
 * NATS ingest: single readings on `vigil.ingest.reading.<unit>.<sensor>`
 * (a bare number or `{value, quality?, timestamp?}`) and batches on
 * `vigil.ingest.batch` (a JSON array, parsed once, submitted at once — the
 * fast path for gateways). Works over any `Transport`, so the same code
 * serves the in-process bus and a NATS cluster; a queue group lets several
 * nodes share the subjects.
 *
 * Each subscription is consumed in order, one message at a time, awaiting
 * the gateway: ordering per publisher is kept and a slow system slows the
 * consumer. What the transport then drops (its bounded buffer is
 * drop-oldest) is counted as `overloaded` rejections. A message with a reply
 * subject is answered `{accepted, rejected: [{index, reason, detail}]}` once
 * the accepted readings are in the system.
 */
import type { Logger } from "pino";
import { BoundedMemo } from "../../../runtime/index.js";
import type { Subscription, Transport, TransportMessage } from "../../../runtime/transport/index.js";
import type { IngestGateway } from "../../ingest/index.js";
import type { Rejection } from "../../readings/index.js";
import { SUBJECTS } from "../../subjects.js";
import { parseBatch, submitBatch, type BatchAnswer } from "../batch.js";
import { decodeReadingPayload, isRejection } from "../decode.js";

export interface NatsIngestOptions {
  readonly transport: Transport;
  readonly gateway: IngestGateway;
  readonly log: Logger;
  /** Queue group shared by the nodes that ingest. @default "vigil-ingest" */
  readonly queue?: string;
  /** Messages buffered per subscription before the oldest are dropped (and counted). @default the transport's */
  readonly maxPending?: number;
  /** Subscribe to single readings too (false on a cluster member: the ingest stream takes them). @default true */
  readonly readings?: boolean;
}

/** The answer to a request whose message could not be used at all. */
export interface BatchError {
  readonly accepted: 0;
  readonly rejected: [];
  readonly error: { readonly code: string; readonly message: string };
}

export interface NatsIngest {
  /** Unsubscribes; resolves once the messages already received are handled. */
  stop(): Promise<void>;
}

export const DEFAULT_INGEST_QUEUE = "vigil-ingest";

// vigil.ingest.reading.<unit>.<sensor>
const UNIT_TOKEN = 3;
const SENSOR_TOKEN = 4;

const encoder = new TextEncoder();

/** Subscribes and resolves once the subscriptions are live at the server. */
export async function startNatsIngest(options: NatsIngestOptions): Promise<NatsIngest> {
  const { transport, gateway, log } = options;
  const queue = options.queue ?? DEFAULT_INGEST_QUEUE;
  const onSlowConsumer = (e: { subject: string; pending: number; dropped: number }): void =>
    log.warn({ subject: e.subject, pending: e.pending, dropped: e.dropped }, "nats ingest is falling behind; the transport drops the oldest messages");
  const subscribeOptions = { queue, onSlowConsumer, ...(options.maxPending !== undefined ? { maxPending: options.maxPending } : {}) };
  const readings = options.readings === false ? undefined : transport.subscribe(SUBJECTS.ingestReadingAll, subscribeOptions);
  const batches = transport.subscribe(SUBJECTS.ingestBatch, subscribeOptions);

  const sensors = new BoundedMemo<string, SubjectIds>(MAX_SUBJECTS);
  // Synchronous unless the reading has to wait (a full mailbox) or a cluster route takes it: no promise per reading.
  const handleReading = (msg: TransportMessage): Answer | Promise<Answer> => {
    const ids = sensors.get(msg.subject) ?? idsOf(msg.subject, sensors);
    const fields = decodeReadingPayload(msg.data);
    const taken = isRejection(fields)
      ? gateway.reject("nats", fields.reason, `${fields.detail} (subject ${msg.subject})`)
      : gateway.offerOne({ unit: ids.unit, sensor: ids.sensor, value: fields.value, quality: fields.quality, timestamp: fields.timestamp }, "nats");
    if (taken === undefined) return ACCEPTED_ONE;
    if (taken instanceof Promise) return taken.then(() => ACCEPTED_ONE);
    return { accepted: 0, rejected: [{ index: 0, reason: taken.reason, detail: taken.detail }] };
  };
  const handleBatch = async (msg: TransportMessage): Promise<Answer> => {
    const items = parseBatch(msg.data);
    if (isRejection(items)) return rejectedWhole(gateway.reject("nats", items.reason, items.detail));
    return submitBatch(gateway, items, "nats");
  };

  const loops = [consume(batches, handleBatch, gateway, log)];
  if (readings !== undefined) loops.push(consume(readings, handleReading, gateway, log));
  await transport.flush();
  log.info({ subjects: [...(readings === undefined ? [] : [SUBJECTS.ingestReadingAll]), SUBJECTS.ingestBatch], queue }, "nats ingest subscribed");
  return {
    async stop() {
      readings?.unsubscribe();
      batches.unsubscribe();
      await Promise.all(loops);
    },
  };
}

type Answer = BatchAnswer | BatchError;

/** Shared by every accepted single reading: it is only ever serialised. */
const ACCEPTED_ONE: BatchAnswer = { accepted: 1, rejected: [] };

/** Subjects remembered before the memo starts afresh (it bounds a node fed ever new sensors). */
const MAX_SUBJECTS = 65_536;

/** A reading subject's unit and sensor tokens (undefined where the subject has none). */
interface SubjectIds {
  readonly unit: string | undefined;
  readonly sensor: string | undefined;
}

/**
 * Cut once per subject and kept: the same id strings then come with every
 * reading of a sensor, and the gateway's lookups by them find their hashes
 * already computed, where a split per message made fresh strings to hash.
 */
function idsOf(subject: string, memo: BoundedMemo<string, SubjectIds>): SubjectIds {
  const tokens = subject.split(".");
  const ids = { unit: tokens[UNIT_TOKEN], sensor: tokens[SENSOR_TOKEN] };
  memo.set(subject, ids);
  return ids;
}

async function consume(
  sub: Subscription,
  handle: (msg: TransportMessage) => Answer | Promise<Answer>,
  gateway: IngestGateway,
  log: Logger,
): Promise<void> {
  let dropped = 0;
  const countDrops = (): void => {
    if (sub.dropped === dropped) return;
    // One per dropped message: how many readings a dropped batch held is unknown.
    gateway.counters.reject("nats", "overloaded", sub.dropped - dropped);
    log.debug({ subject: sub.subject, dropped: sub.dropped }, "nats ingest dropped messages");
    dropped = sub.dropped;
  };
  for await (const first of sub) {
    // What else arrived with it is taken in the same go: one promise per wake-up, not per message.
    for (let msg: TransportMessage | undefined = first; msg !== undefined; msg = sub.poll()) {
      let answer: Answer;
      try {
        const handled = handle(msg);
        answer = handled instanceof Promise ? await handled : handled;
      } catch (err) {
        // E.g. the system is stopping. The subscription keeps running; the sender hears of it if it asked.
        log.error({ err, subject: msg.subject }, "nats ingest could not hand a message to the system");
        answer = { accepted: 0, rejected: [], error: { code: "unavailable", message: "the readings could not be handed to the system" } };
      }
      if (msg.reply !== undefined) respond(msg, answer, log);
      countDrops();
    }
  }
  countDrops();
}

function rejectedWhole(rejection: Rejection): BatchError {
  return { accepted: 0, rejected: [], error: { code: rejection.reason, message: rejection.detail } };
}

function respond(msg: TransportMessage, answer: BatchAnswer | BatchError, log: Logger): void {
  try {
    msg.respond(encoder.encode(JSON.stringify(answer)));
  } catch (err) {
    // The transport closed under us; the requester times out.
    log.debug({ err, subject: msg.subject }, "nats ingest could not answer");
  }
}
