/**
 * A reading: one value of one sensor of one unit at one instant, as it flows
 * from ingest to the sensor actor. Everything that enters the system is
 * turned into this shape, whatever protocol it came over.
 */

export const QUALITIES = ["GOOD", "UNCERTAIN", "BAD"] as const;
export type ReadingQuality = (typeof QUALITIES)[number];

export const INGEST_SOURCES = ["mqtt", "opcua", "nats", "http", "simulator", "import"] as const;
export type IngestSource = (typeof INGEST_SOURCES)[number];

export function isIngestSource(s: unknown): s is IngestSource {
  return typeof s === "string" && (INGEST_SOURCES as readonly string[]).includes(s);
}

export interface Reading {
  readonly unit: string;
  readonly sensor: string;
  readonly value: number;
  readonly quality: ReadingQuality;
  /** When the value was measured, epoch milliseconds. */
  readonly ts: number;
  readonly source: IngestSource;
  /** When Vigil accepted it, epoch milliseconds (latency is measured from here). */
  readonly receivedAt: number;
}

/** Unit and sensor ids become NATS subject tokens, actor ids and SQL values: keep them plain. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function sensorAddress(unit: string, sensor: string): string {
  return `sensor/${unit}/${sensor}`;
}

export function unitAddress(unit: string): string {
  return `unit/${unit}`;
}
