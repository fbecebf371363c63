/**
 * Readings in columns, for crossing from the main thread (where ingest
 * validates them) to the shard workers (where sensor actors score them):
 * the sensor kind's message codec. Structured clone would copy each
 * reading's seven keys and five strings one by one; in columns the numbers
 * go as one Float64Array, quality and source as codes in one Uint8Array,
 * and only unit and sensor remain strings.
 *
 * A reading is exactly its seven fields (validateReading makes it so), and
 * comes back as an object with them in the same order.
 */
import type { MessageCodec } from "../../runtime/index.js";
import { INGEST_SOURCES, QUALITIES, type IngestSource, type Reading, type ReadingQuality } from "./reading.js";

interface ReadingColumns {
  unit: string[];
  sensor: string[];
  /** value, ts, receivedAt per reading. */
  numbers: Float64Array;
  /** quality, source per reading, as indices into QUALITIES and INGEST_SOURCES. */
  codes: Uint8Array;
}

const QUALITY_CODE = new Map<string, number>(QUALITIES.map((q, i) => [q, i]));
const SOURCE_CODE = new Map<string, number>(INGEST_SOURCES.map((s, i) => [s, i]));

function isReading(m: unknown): m is Reading {
  if (typeof m !== "object" || m === null) return false;
  const r = m as Partial<Record<keyof Reading, unknown>>;
  return (
    typeof r.value === "number" &&
    typeof r.ts === "number" &&
    typeof r.receivedAt === "number" &&
    typeof r.unit === "string" &&
    typeof r.sensor === "string" &&
    QUALITY_CODE.has(r.quality as string) &&
    SOURCE_CODE.has(r.source as string)
  );
}

export const readingCodec: MessageCodec<Reading> = {
  accepts: isReading,
  encode(readings) {
    const n = readings.length;
    const unit = new Array<string>(n);
    const sensor = new Array<string>(n);
    const numbers = new Float64Array(n * 3);
    const codes = new Uint8Array(n * 2);
    for (let i = 0; i < n; i++) {
      const r = readings[i] as Reading;
      unit[i] = r.unit;
      sensor[i] = r.sensor;
      numbers[i * 3] = r.value;
      numbers[i * 3 + 1] = r.ts;
      numbers[i * 3 + 2] = r.receivedAt;
      codes[i * 2] = QUALITY_CODE.get(r.quality) as number;
      codes[i * 2 + 1] = SOURCE_CODE.get(r.source) as number;
    }
    return { unit, sensor, numbers, codes } satisfies ReadingColumns;
  },
  decode(columns) {
    const { unit, sensor, numbers, codes } = columns as ReadingColumns;
    const out = new Array<Reading>(unit.length);
    for (let i = 0; i < unit.length; i++) {
      out[i] = {
        unit: unit[i] as string,
        sensor: sensor[i] as string,
        value: numbers[i * 3] as number,
        quality: QUALITIES[codes[i * 2] as number] as ReadingQuality,
        ts: numbers[i * 3 + 1] as number,
        source: INGEST_SOURCES[codes[i * 2 + 1] as number] as IngestSource,
        receivedAt: numbers[i * 3 + 2] as number,
      };
    }
    return out;
  },
};
