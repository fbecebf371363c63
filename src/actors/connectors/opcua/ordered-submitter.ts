/**
 * Hands an endpoint's readings to the ingest gateway one after another, in
 * the order the server sent them. OPC UA cannot be slowed down (the server
 * publishes whether or not we keep up), so the queue is bounded: past
 * `maxPending` readings a new one is rejected as `overloaded` and counted,
 * rather than held in memory without limit.
 */
import type { Logger } from "pino";
import type { RawReading } from "../../readings/index.js";
import type { ReadingSink } from "./options.js";

export class OrderedSubmitter {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private warnedFull = false;

  constructor(
    private readonly gateway: ReadingSink,
    private readonly maxPending: number,
    private readonly log: Logger,
    private readonly endpoint: string,
  ) {}

  submit(raw: RawReading): void {
    if (this.pending >= this.maxPending) {
      this.gateway.reject("opcua", "overloaded", `${this.endpoint}: ${this.maxPending} readings already waiting for the system`);
      if (!this.warnedFull) {
        // Once per episode: the rejection counter tells how many.
        this.warnedFull = true;
        this.log.warn({ endpoint: this.endpoint, maxPending: this.maxPending }, "OPC UA readings arrive faster than the system takes them; rejecting as overloaded");
      }
      return;
    }
    this.pending++;
    this.tail = this.tail
      .then(() => this.gateway.submit(raw, "opcua"))
      .then(
        () => undefined,
        (err: unknown) => this.log.error({ err, endpoint: this.endpoint }, "OPC UA reading could not be handed to the system"),
      )
      .finally(() => {
        this.pending--;
        if (this.pending === 0) this.warnedFull = false;
      });
  }

  /** Resolves once every reading submitted so far has been taken (or failed). */
  drained(): Promise<void> {
    return this.tail;
  }
}
