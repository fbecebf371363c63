/**
 * Readings in columns, for crossing from the main thread (where ingest
 * validates them) to the shard workers (where sensor actors score them):
 * the sensor kind's message codec. Structured clone would copy each
 * reading's seven keys and five strings one by one; in columns the numbers
 * go as one Float64Array, quality and source as codes in one Uint8Array,
 * and unit and sensor as indices into the batch's distinct ids: a batch of
 * a thousand readings names a few hundred units and a handful of sensor
 * ids, and each string crosses once (the receiver's readings then share it).
 *
 * A reading is exactly its seven fields (validateReading makes it so), and
 * comes back as an object with them in the same order.
 */
import type { MessageCodec } from "../../runtime/index.js";
import { INGEST_SOURCES, QUALITIES, type IngestSource, type Reading, type ReadingQuality } from "./reading.js";

interface ReadingColumns {
  /** The batch's distinct unit and sensor ids, in order of first use. */
  ids: string[];
  /** unit, sensor per reading, as indices into ids. */
  at: Uint32Array;
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
    const ids: string[] = [];
    const index = new Map<string, number>();
    const idOf = (id: string): number => {
      let k = index.get(id);
      if (k === undefined) {
        k = ids.length;
        ids.push(id);
        index.set(id, k);
      }
      return k;
    };
    const at = new Uint32Array(n * 2);
    const numbers = new Float64Array(n * 3);
    const codes = new Uint8Array(n * 2);
    for (let i = 0; i < n; i++) {
      const r = readings[i] as Reading;
      at[i * 2] = idOf(r.unit);
      at[i * 2 + 1] = idOf(r.sensor);
      numbers[i * 3] = r.value;
      numbers[i * 3 + 1] = r.ts;
      numbers[i * 3 + 2] = r.receivedAt;
      codes[i * 2] = QUALITY_CODE.get(r.quality) as number;
      codes[i * 2 + 1] = SOURCE_CODE.get(r.source) as number;
    }
    return { ids, at, numbers, codes } satisfies ReadingColumns;
  },
  decode(columns) {
    const { ids, at, numbers, codes } = columns as ReadingColumns;
    const n = codes.length / 2;
    const out = new Array<Reading>(n);
    for (let i = 0; i < n; i++) {
      out[i] = {
        unit: ids[at[i * 2] as number] as string,
        sensor: ids[at[i * 2 + 1] as number] as string,
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
