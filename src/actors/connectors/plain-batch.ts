/**
 * The common batch bodies read straight from their bytes: a JSON array of
 * compact readings, as gateways send them —
 * `[{"unit":"UNIT001","sensor":"temperature","value":25.5,"quality":"GOOD","timestamp":1764000000000},…]`
 * — or the same array as `{"readings":[…]}`. Each reading has its unit,
 * sensor and value and may have a quality and a numeric timestamp, its keys
 * in any order, each once, no whitespace anywhere. UTF-8 decoding and
 * JSON.parse of a batch took a fifth of the node's main thread under
 * batched load, and made an object and strings per reading that the
 * validation then copied; here each reading becomes one CheckedReading,
 * its ids the same strings from batch to batch.
 *
 * A body with anything else in it — whitespace, another key, an escape, an
 * id ID_PATTERN refuses, a string timestamp, a quality in lower case, an
 * exponent, a mantissa of 2^53 or more, a non-object item, an empty
 * array — is left whole to the general decoder (batch.ts), which then
 * answers for every reading of it just as it always did. So the gateway's
 * verdicts, rejections and counts are the same whichever way a body goes.
 */
import { CheckedReading, type ReadingQuality } from "../readings/index.js";
import {
  CLOSE,
  CLOSE_ARRAY,
  COMMA,
  hasKey,
  KEY_QUALITY,
  KEY_SENSOR,
  KEY_TIMESTAMP,
  KEY_UNIT,
  KEY_VALUE,
  OPEN,
  OPEN_ARRAY,
  plainEnd,
  plainKey,
  QUOTE,
  readPlainId,
  readPlainNumber,
  readPlainQuality,
} from "./plain-json.js";

const WRAPPED = plainKey('{"readings":[');

/** Where the last reading read ended (readReading's second result, kept out of an object per call). */
let end = 0;

/** The batch's readings when the body is one of the plain shapes, else undefined (then the general decoder reads it). */
export function readPlainBatch(bytes: Uint8Array): CheckedReading[] | undefined {
  let at: number;
  // Where the array's closing bracket must be: the body's last byte, or the one before the wrapper's brace.
  let close: number;
  if (bytes[0] === OPEN_ARRAY) {
    at = 1;
    close = bytes.length - 1;
  } else if (hasKey(bytes, 0, WRAPPED) && bytes[bytes.length - 1] === CLOSE) {
    at = WRAPPED.length;
    close = bytes.length - 2;
  } else {
    return undefined;
  }
  if (bytes[close] !== CLOSE_ARRAY) return undefined;
  const readings: CheckedReading[] = [];
  for (;;) {
    const reading = readReading(bytes, at);
    if (reading === undefined) return undefined;
    readings.push(reading);
    at = end;
    if (at === close) return readings;
    if (bytes[at] !== COMMA) return undefined;
    at++;
  }
}

/** One compact reading object starting at `at`; sets `end` past its closing brace. */
function readReading(bytes: Uint8Array, at: number): CheckedReading | undefined {
  if (bytes[at] !== OPEN) return undefined;
  let unit: string | undefined;
  let sensor: string | undefined;
  let value: number | undefined;
  let quality: ReadingQuality | undefined;
  let timestamp: number | undefined;
  let i = at + 1;
  for (;;) {
    if (bytes[i] !== QUOTE) return undefined;
    // A key's first letter tells which it can be; each may come once.
    switch (bytes[i + 1]) {
      case 0x75: // u
        if (unit !== undefined || !hasKey(bytes, i, KEY_UNIT)) return undefined;
        unit = readPlainId(bytes, i + KEY_UNIT.length);
        if (unit === undefined) return undefined;
        break;
      case 0x73: // s
        if (sensor !== undefined || !hasKey(bytes, i, KEY_SENSOR)) return undefined;
        sensor = readPlainId(bytes, i + KEY_SENSOR.length);
        if (sensor === undefined) return undefined;
        break;
      case 0x76: // v
        if (value !== undefined || !hasKey(bytes, i, KEY_VALUE)) return undefined;
        value = readPlainNumber(bytes, i + KEY_VALUE.length);
        if (value === undefined) return undefined;
        break;
      case 0x71: // q
        if (quality !== undefined || !hasKey(bytes, i, KEY_QUALITY)) return undefined;
        quality = readPlainQuality(bytes, i + KEY_QUALITY.length);
        if (quality === undefined) return undefined;
        break;
      case 0x74: // t
        if (timestamp !== undefined || !hasKey(bytes, i, KEY_TIMESTAMP)) return undefined;
        timestamp = readPlainNumber(bytes, i + KEY_TIMESTAMP.length);
        if (timestamp === undefined) return undefined;
        break;
      default:
        return undefined;
    }
    i = plainEnd();
    const next = bytes[i];
    if (next === CLOSE) break;
    if (next !== COMMA) return undefined;
    i++;
  }
  // Without an id or a value the validation has a rejection to word: the general decoder's.
  if (unit === undefined || sensor === undefined || value === undefined) return undefined;
  end = i + 1;
  return new CheckedReading(unit, sensor, value, quality, timestamp);
}
