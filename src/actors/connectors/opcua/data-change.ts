/**
 * Turning an OPC UA data value into a raw reading: the status code becomes
 * the reading's quality, a numeric variant becomes `value * scale + offset`,
 * the source timestamp becomes the reading's instant. Anything that is not a
 * number (a string, a boolean, an array, an empty Bad value) is passed on as
 * it is, so the one validation (readings/validate.ts) rejects it as
 * `not_a_number` and counts it.
 */
import { DataType, VariantArrayType, type DataValue, type StatusCode, type Variant } from "node-opcua";
import type { RawReading, ReadingQuality } from "../../readings/index.js";
import type { OpcUaNodeMapping } from "./options.js";

/**
 * OPC UA Part 4, 7.39: the top two bits of a status code are its severity,
 * 00 Good, 01 Uncertain, 10 Bad (11 is reserved, and treated as Bad).
 */
export function qualityOf(status: StatusCode): ReadingQuality {
  const severity = status.value >>> 30;
  if (severity === 0) return "GOOD";
  if (severity === 1) return "UNCERTAIN";
  return "BAD";
}

const NUMBER_TYPES: ReadonlySet<DataType> = new Set([
  DataType.SByte,
  DataType.Byte,
  DataType.Int16,
  DataType.UInt16,
  DataType.Int32,
  DataType.UInt32,
  DataType.Float,
  DataType.Double,
]);

const TWO_TO_32 = 2 ** 32;

/** A scalar numeric variant as a JS number; anything else unchanged (validation rejects it). */
export function numberOf(variant: Variant): unknown {
  if (variant.arrayType !== VariantArrayType.Scalar) return variant.value;
  if (NUMBER_TYPES.has(variant.dataType)) return variant.value;
  // node-opcua carries 64-bit integers as [high, low] 32-bit halves. Beyond
  // 2^53 a double loses precision, as every reading value does anyway.
  if (variant.dataType === DataType.Int64 || variant.dataType === DataType.UInt64) {
    const [high, low] = variant.value as [number, number];
    const signedHigh = variant.dataType === DataType.Int64 && high >= 2 ** 31 ? high - TWO_TO_32 : high;
    return signedHigh * TWO_TO_32 + low;
  }
  // Null (typical of a Bad value) has no value: `undefined` reads as "expected a number".
  return variant.dataType === DataType.Null ? undefined : variant.value;
}

/** The raw reading for one data change of a mapped node. */
export function toRawReading(mapping: Required<OpcUaNodeMapping>, dataValue: DataValue): RawReading {
  const raw = numberOf(dataValue.value);
  const value = typeof raw === "number" ? raw * mapping.scale + mapping.offset : raw;
  // The device's instant when it gives one; else when the server saw it; else "now" (the gateway's).
  const stamp = dataValue.sourceTimestamp ?? dataValue.serverTimestamp;
  return {
    unit: mapping.unit,
    sensor: mapping.sensor,
    value,
    quality: qualityOf(dataValue.statusCode),
    timestamp: stamp === null ? undefined : stamp.getTime(),
  };
}
