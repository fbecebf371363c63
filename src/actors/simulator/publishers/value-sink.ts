/**
 * Serving simulated values from an OPC UA server: the simulator's OPC UA
 * server (PlantOpcUaServer, in ../opcua-*.ts) implements OpcUaValueSink, and
 * this publisher keeps its variables up to date. Defined here, structurally,
 * so the simulator needs no OPC UA library.
 */
import type { ReadingQuality } from "../../readings/index.js";
import type { SimulatedReading } from "../simulated-reading.js";
import type { ReadingPublisher } from "./publisher.js";

export interface OpcUaValueSink {
  /** Create the unit's folder and one variable per sensor. */
  addUnit(unit: string, sensors: readonly string[]): void;
  setValue(unit: string, sensor: string, value: number, quality: ReadingQuality): void;
}

export class ValueSinkPublisher implements ReadingPublisher {
  readonly name = "opcua";

  constructor(private readonly sink: OpcUaValueSink) {}

  open(units: readonly string[], sensors: readonly string[]): void {
    for (const unit of units) this.sink.addUnit(unit, sensors);
  }

  publish(batch: readonly SimulatedReading[]): void {
    for (const r of batch) this.sink.setValue(r.unit, r.sensor, r.value, r.quality);
  }
}
