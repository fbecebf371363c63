/**
 * The ingest gateway: where every connector hands its readings over. It
 * validates each one (readings/validate.ts), counts rejections by source and
 * reason, and tells the sensor actor. Under backpressure it waits until the
 * actor's worker takes the reading, so a connector that awaits `submit`
 * acknowledges its peer (e.g. an MQTT QoS 1 PUBACK) only once the system
 * has accepted the reading. Every rejection is also handed to `onRejected`
 * (the node keeps them in history) as a direct call, so none is lost on the way.
 *
 * With a `route` (a cluster member's connectors), valid readings are not
 * told to actors here: they are handed to the route (the cluster's
 * partitioned ingest stream) and accepted once it has them; the partition's
 * owner then submits them to its own gateway, which counts them accepted.
 */
import type { Logger } from "pino";
import type { ActorSystem } from "../../runtime/index.js";
import {
  DEFAULT_READING_LIMITS,
  ID_PATTERN,
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
  /** Told of every rejection, synchronously, with the reading's unit and sensor when it named them. */
  onRejected?: (rejected: RejectedReading) => void;
  /** Where valid readings go instead of their actors (resolves once it holds them); they are counted accepted where they are applied. */
  route?: ReadingRoute;
}

/** Takes validated readings somewhere durable on their way to their actors (a cluster's ingest stream). */
export type ReadingRoute = (readings: readonly Reading[], source: IngestSource) => Promise<void>;

/** A rejection as the gateway saw it: when, from where, why, and which sensor (when the input named one). */
export interface RejectedReading extends Rejection {
  readonly ts: number;
  readonly source: IngestSource;
  readonly unit: string | null;
  readonly sensor: string | null;
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
  private readonly onRejected: ((rejected: RejectedReading) => void) | undefined;
  private readonly route: ReadingRoute | undefined;
  private readonly addresses = new SensorAddresses();

  constructor(options: IngestGatewayOptions) {
    this.system = options.system;
    this.onRejected = options.onRejected;
    this.route = options.route;
    this.counters = options.counters;
    this.log = options.log;
    this.limits = options.limits ?? DEFAULT_READING_LIMITS;
    this.now = options.now ?? Date.now;
  }

  /** Validate one reading and hand it to its sensor actor; resolves once the system has taken it. */
  async submit(raw: RawReading, source: IngestSource): Promise<Reading | Rejection> {
    const result = this.validate(raw, source, this.now());
    if (isRejection(result)) return result;
    if (this.route !== undefined) {
      await this.route([result], source);
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
    const routed: Reading[] = [];
    let accepted = 0;
    for (let index = 0; index < raws.length; index++) {
      const result = this.validate(raws[index] as RawReading, source, now);
      if (isRejection(result)) {
        rejections.push({ index, ...result });
        continue;
      }
      if (this.route !== undefined) {
        routed.push(result);
        continue;
      }
      const address = this.addresses.of(result.unit, result.sensor);
      // The fast path stays synchronous; only a refused reading waits.
      if (!this.system.tell(address, result)) await this.deliver(result);
      accepted++;
    }
    if (this.route !== undefined) {
      if (routed.length > 0) await this.route(routed, source);
      return { accepted: routed.length, rejections };
    }
    if (accepted > 0) this.counters.accept(source, accepted);
    return { accepted, rejections };
  }

  /**
   * `submitMany` for a connector that needs no per-reading verdicts (each
   * rejection is counted and told as usual). The usual case returns
   * undefined: every reading was validated and taken, or rejected, on the
   * spot, and no promise was made for it. Otherwise (an actor's mailbox
   * refused a reading, or a cluster route takes them) a promise that
   * resolves once the rest have been taken.
   */
  offer(raws: readonly RawReading[], source: IngestSource): Promise<void> | undefined {
    if (this.route !== undefined) return this.submitMany(raws, source).then(() => undefined);
    const now = this.now();
    let accepted = 0;
    for (let index = 0; index < raws.length; index++) {
      const result = this.validate(raws[index] as RawReading, source, now);
      if (isRejection(result)) continue;
      if (!this.system.tell(this.addresses.of(result.unit, result.sensor), result)) {
        if (accepted > 0) this.counters.accept(source, accepted);
        return this.deliverRest(result, raws.slice(index + 1), source);
      }
      accepted++;
    }
    if (accepted > 0) this.counters.accept(source, accepted);
    return undefined;
  }

  /**
   * `offer` for one reading whose verdict the caller needs: its rejection
   * (counted and told as usual), undefined once its actor took it on the
   * spot, or a promise that resolves once it has been taken (its mailbox
   * refused it, or a cluster route takes it).
   */
  offerOne(raw: RawReading, source: IngestSource): Rejection | Promise<void> | undefined {
    const result = this.validate(raw, source, this.now());
    if (isRejection(result)) return result;
    if (this.route !== undefined) return this.route([result], source);
    if (!this.system.tell(this.addresses.of(result.unit, result.sensor), result)) return this.deliverRest(result, [], source);
    this.counters.accept(source);
    return undefined;
  }

  private async deliverRest(refused: Reading, rest: readonly RawReading[], source: IngestSource): Promise<void> {
    await this.deliver(refused);
    this.counters.accept(source);
    if (rest.length > 0) await this.submitMany(rest, source);
  }

  /** Count a rejection found before a reading could be formed: a bad topic, an unparsable payload. */
  reject(source: IngestSource, reason: RejectionReason, detail: string): Rejection {
    const rejection = { reason, detail };
    this.rejected(source, rejection);
    return rejection;
  }

  /** The reading validated; a rejection is counted and told here. */
  private validate(raw: RawReading, source: IngestSource, now: number): Reading | Rejection {
    const result = validateReading(raw, source, now, this.limits);
    if (isRejection(result)) this.rejected(source, result, raw);
    return result;
  }

  private async deliver(reading: Reading): Promise<void> {
    const address = this.addresses.of(reading.unit, reading.sensor);
    while (!this.system.tell(address, reading)) await this.system.whenWritable(address);
  }

  private rejected(source: IngestSource, rejection: Rejection, raw?: RawReading): void {
    this.counters.reject(source, rejection.reason);
    this.log.debug({ source, reason: rejection.reason, detail: rejection.detail }, "reading rejected");
    this.onRejected?.({ ...rejection, ts: this.now(), source, unit: idOf(raw?.unit), sensor: idOf(raw?.sensor) });
  }
}

/** Sensors remembered before the cache starts afresh (it bounds memory on a node fed ever new ids). */
const MAX_SENSOR_ADDRESSES = 65_536;

/**
 * Each sensor's address as one string, built once: a fresh string per
 * reading had to be joined and hashed again wherever it was looked up on
 * its way to the workers (route, the port's address table); the same
 * string object carries its hash along.
 */
class SensorAddresses {
  private readonly byUnit = new Map<string, Map<string, string>>();
  private size = 0;

  of(unit: string, sensor: string): string {
    let sensors = this.byUnit.get(unit);
    if (sensors === undefined) {
      if (this.size >= MAX_SENSOR_ADDRESSES) {
        this.byUnit.clear();
        this.size = 0;
      }
      sensors = new Map();
      this.byUnit.set(unit, sensors);
    }
    let address = sensors.get(sensor);
    if (address === undefined) {
      address = sensorAddress(unit, sensor);
      sensors.set(sensor, address);
      this.size++;
    }
    return address;
  }
}

/** A unit or sensor id worth recording with a rejection: a plain id (a malformed one is in the detail already). */
function idOf(value: unknown): string | null {
  return typeof value === "string" && ID_PATTERN.test(value) ? value : null;
}
