/**
 * The ingest gateway: where every connector hands its readings over. It
 * validates each one (readings/validate.ts), counts rejections by source and
 * reason, and tells the sensor actor. Under backpressure it waits until the
 * actor's worker takes the reading, so a connector that awaits `submit`
 * acknowledges its peer (e.g. an MQTT QoS 1 PUBACK) only once the system
 * has accepted the reading.
 */
import type { Logger } from "pino";
import type { ActorSystem } from "../../runtime/index.js";
import {
  DEFAULT_READING_LIMITS,
  isRejection,
  sensorAddress,
  validateReading,
  type IngestCounters,
  type IngestSource,
  type RawReading,
  type Reading,
  type ReadingLimits,
  type Rejection,
  type RejectionReason,
} from "../readings/index.js";

export interface IngestGatewayOptions {
  system: ActorSystem;
  counters: IngestCounters;
  log: Logger;
  limits?: ReadingLimits;
  now?: () => number;
}

export interface SubmitResult {
  accepted: number;
  rejections: IndexedRejection[];
}

/** A rejection in a batch, with the position of its reading in the submitted array. */
export interface IndexedRejection extends Rejection {
  readonly index: number;
}

export class IngestGateway {
  private readonly system: ActorSystem;
  private readonly limits: ReadingLimits;
  private readonly now: () => number;
  readonly counters: IngestCounters;
  private readonly log: Logger;

  constructor(options: IngestGatewayOptions) {
    this.system = options.system;
    this.counters = options.counters;
    this.log = options.log;
    this.limits = options.limits ?? DEFAULT_READING_LIMITS;
    this.now = options.now ?? Date.now;
  }

  /** Validate one reading and hand it to its sensor actor; resolves once the system has taken it. */
  async submit(raw: RawReading, source: IngestSource): Promise<Reading | Rejection> {
    const result = validateReading(raw, source, this.now(), this.limits);
    if (isRejection(result)) {
      this.rejected(source, result);
      return result;
    }
    await this.deliver(result);
    this.counters.accept(source);
    return result;
  }

  /** Validate and deliver many readings; resolves once every valid one has been taken. */
  async submitMany(raws: readonly RawReading[], source: IngestSource): Promise<SubmitResult> {
    const now = this.now();
    const rejections: IndexedRejection[] = [];
    let accepted = 0;
    for (let index = 0; index < raws.length; index++) {
      const raw = raws[index] as RawReading;
      const result = validateReading(raw, source, now, this.limits);
      if (isRejection(result)) {
        this.rejected(source, result);
        rejections.push({ index, ...result });
        continue;
      }
      const address = sensorAddress(result.unit, result.sensor);
      // The fast path stays synchronous; only a refused reading waits.
      if (!this.system.tell(address, result)) await this.deliver(result);
      accepted++;
    }
    if (accepted > 0) this.counters.accept(source, accepted);
    return { accepted, rejections };
  }

  /** Count a rejection found before a reading could be formed: a bad topic, an unparsable payload. */
  reject(source: IngestSource, reason: RejectionReason, detail: string): Rejection {
    const rejection = { reason, detail };
    this.rejected(source, rejection);
    return rejection;
  }

  private async deliver(reading: Reading): Promise<void> {
    const address = sensorAddress(reading.unit, reading.sensor);
    while (!this.system.tell(address, reading)) await this.system.whenWritable(address);
  }

  private rejected(source: IngestSource, rejection: Rejection): void {
    this.counters.reject(source, rejection.reason);
    this.log.debug({ source, reason: rejection.reason, detail: rejection.detail }, "reading rejected");
  }
}
