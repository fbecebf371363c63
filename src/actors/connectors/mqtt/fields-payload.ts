/**
 * Multi-field device payloads: `{"ghi": 500, "temperature": 25, "timestamp": "..."}`
 * on e.g. `solar/{device}/data` becomes one raw reading per field, all of the
 * topic's unit and sharing the payload's timestamp and quality.
 */
import type { TemplatePart } from "../../../config/index.js";
import type { RawReading, Rejection } from "../../readings/index.js";
import { decodeJson, describeType, isRejection } from "../decode.js";
import { fillTemplate, type Placeholders } from "./template.js";

export interface FieldsDecoder {
  /** field → sensor id template. Empty: every numeric field, named as it is. */
  readonly sensors: ReadonlyMap<string, readonly TemplatePart[]>;
  readonly timestampField: string;
  readonly qualityField: string;
}

/**
 * Without an allow-list, only numeric fields are readings (a device's
 * payload may carry text such as a firmware version). With one, every listed
 * field present becomes a reading whatever its value, so that a listed field
 * that is not a number is rejected and counted rather than skipped.
 */
export function decodeFieldsPayload(payload: Uint8Array, unit: string, placeholders: Placeholders, decoder: FieldsDecoder): RawReading[] | Rejection {
  const decoded = decodeJson(payload);
  if (isRejection(decoded)) return decoded;
  const body = decoded.json;
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { reason: "malformed_payload", detail: `expected an object of fields, got ${describeType(body)}` };
  }
  const fields = body as Record<string, unknown>;
  const timestamp = fields[decoder.timestampField];
  const quality = fields[decoder.qualityField];
  const readings: RawReading[] = [];
  if (decoder.sensors.size === 0) {
    for (const [field, value] of Object.entries(fields)) {
      if (field === decoder.timestampField || field === decoder.qualityField || typeof value !== "number") continue;
      readings.push({ unit, sensor: field, value, quality, timestamp });
    }
  } else {
    for (const [field, sensor] of decoder.sensors) {
      if (!Object.hasOwn(fields, field)) continue; // devices may send a subset
      readings.push({ unit, sensor: fillTemplate(sensor, placeholders), value: fields[field], quality, timestamp });
    }
  }
  if (readings.length === 0) {
    const wanted = decoder.sensors.size === 0 ? "numeric fields" : `any of the fields ${[...decoder.sensors.keys()].join(", ")}`;
    return { reason: "malformed_payload", detail: `no readings: the payload has no ${wanted}` };
  }
  return readings;
}
