/**
 * The common single-reading payloads read straight from their bytes: a bare
 * number (`25.5`) or `{"value":25.5,"quality":"GOOD","timestamp":1700000000000}`
 * (any of the three keys, in any order, each once, no whitespace). A
 * message's UTF-8 decoding and JSON.parse cost more than everything else
 * the main thread does with it, and made two objects and a string per
 * message. Anything else — whitespace, other keys, a string timestamp, an
 * exponent, a mantissa of 2^53 or more — is left to the general
 * decoder, so what this reads is exactly what JSON.parse would have read.
 */
import type { ReadingFields } from "./decode.js";
import { CLOSE, COMMA, hasKey, KEY_QUALITY, KEY_TIMESTAMP, KEY_VALUE, OPEN, plainEnd, readPlainNumber, readPlainQuality } from "./plain-json.js";

/** The payload's fields when it has one of the plain shapes, else undefined (then the general decoder reads it). */
export function readPlainReading(bytes: Uint8Array): ReadingFields | undefined {
  if (bytes[0] !== OPEN) {
    const value = readPlainNumber(bytes, 0);
    return value !== undefined && plainEnd() === bytes.length ? { value } : undefined;
  }
  let value: number | undefined;
  let quality: string | undefined;
  let timestamp: number | undefined;
  let at = 1;
  for (;;) {
    if (value === undefined && hasKey(bytes, at, KEY_VALUE)) {
      value = readPlainNumber(bytes, at + KEY_VALUE.length);
      if (value === undefined) return undefined;
      at = plainEnd();
    } else if (timestamp === undefined && hasKey(bytes, at, KEY_TIMESTAMP)) {
      timestamp = readPlainNumber(bytes, at + KEY_TIMESTAMP.length);
      if (timestamp === undefined) return undefined;
      at = plainEnd();
    } else if (quality === undefined && hasKey(bytes, at, KEY_QUALITY)) {
      quality = readPlainQuality(bytes, at + KEY_QUALITY.length);
      if (quality === undefined) return undefined;
      at = plainEnd();
    } else {
      return undefined;
    }
    if (bytes[at] === COMMA) at++;
    else if (bytes[at] === CLOSE && at === bytes.length - 1) return { value, quality, timestamp };
    else return undefined;
  }
}
