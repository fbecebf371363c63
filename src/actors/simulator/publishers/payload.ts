/**
 * The wire formats of simulated readings, shared by the MQTT and NATS
 * publishers: `{"value":25.5,"quality":"GOOD","timestamp":"2024-01-01T12:00:00.000Z"}`
 * for one reading (the unit and sensor are in the topic or subject), an
 * array of `{"unit","sensor","value","quality","timestamp"}` for a batch, and
 * `{"ghi":512.3,"temperature":31.42,"power":2.871,"timestamp":..}` for a
 * multi-field device's readings of one instant (the device is in the topic).
 *
 * Built as strings by hand rather than with JSON.stringify: unit and sensor
 * ids match ID_PATTERN and qualities are plain words, so nothing needs
 * escaping, and benches encode millions of these.
 */
import type { SimulatedReading } from "../simulated-reading.js";

export const TIMESTAMP_FORMATS = ["iso", "epoch-ms"] as const;
/** ISO 8601 text (what a device typically sends) or epoch milliseconds (cheaper to encode and parse). */
export type TimestampFormat = (typeof TIMESTAMP_FORMATS)[number];

function timestamp(ts: number, format: TimestampFormat): string {
  return format === "iso" ? `"${new Date(ts).toISOString()}"` : String(ts);
}

/** A value that is not finite goes out as null, which ingest rejects as not_a_number (it should never happen). */
function value(v: number): string {
  return Number.isFinite(v) ? String(v) : "null";
}

export function encodeReading(r: SimulatedReading, format: TimestampFormat): string {
  return `{"value":${value(r.value)},"quality":"${r.quality}","timestamp":${timestamp(r.timestamp, format)}}`;
}

export function encodeBatch(readings: readonly SimulatedReading[], format: TimestampFormat, from = 0, to = readings.length): string {
  const parts: string[] = [];
  for (let i = from; i < to; i++) {
    const r = readings[i]!;
    parts.push(`{"unit":"${r.unit}","sensor":"${r.sensor}","value":${value(r.value)},"quality":"${r.quality}","timestamp":${timestamp(r.timestamp, format)}}`);
  }
  return `[${parts.join(",")}]`;
}

/**
 * One device's readings `from` up to `to` (all of one instant) as a fields
 * payload, each sensor under its field name (`fieldOf`, e.g.
 * SOLAR_PAYLOAD_FIELDS). Field names are the simulator's own plain words.
 */
export function encodeDeviceFields(readings: readonly SimulatedReading[], from: number, to: number, fieldOf: Readonly<Record<string, string>>, format: TimestampFormat): string {
  let out = "{";
  for (let i = from; i < to; i++) {
    const r = readings[i]!;
    out += `"${fieldOf[r.sensor] ?? r.sensor}":${value(r.value)},`;
  }
  return `${out}"timestamp":${timestamp(readings[from]!.timestamp, format)}}`;
}
