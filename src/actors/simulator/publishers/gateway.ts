/**
 * In-process publishing straight into the ingest gateway: what `npm start`
 * uses in embedded mode. Simulated readings already have the RawReading
 * shape, so they are handed over as they are (validation drops the truth
 * fields) with source "simulator".
 */
import type { IngestSource, RawReading } from "../../readings/index.js";
import type { SubmitResult } from "../../ingest/index.js";
import type { SimulatedReading } from "../simulated-reading.js";
import type { ReadingPublisher } from "./publisher.js";

/** The part of IngestGateway this publisher needs. */
export interface IngestSink {
  submitMany(raws: readonly RawReading[], source: IngestSource): Promise<SubmitResult>;
}

export class GatewayPublisher implements ReadingPublisher {
  readonly name = "gateway";
  private rejectedCount = 0;

  constructor(private readonly sink: IngestSink) {}

  /** Readings the gateway refused (the gateway counts them by reason too); simulated readings should never be. */
  get rejected(): number {
    return this.rejectedCount;
  }

  async publish(batch: readonly SimulatedReading[]): Promise<void> {
    const result = await this.sink.submitMany(batch, "simulator");
    this.rejectedCount += result.rejections.length;
  }
}
