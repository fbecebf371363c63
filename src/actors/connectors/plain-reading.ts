/**
 * The common single-reading payloads read straight from their bytes: a bare
 * number (`25.5`) or `{"value":25.5,"quality":"GOOD","timestamp":1700000000000}`
 * (any of the three keys, in any order, each once, no whitespace). A
 * message's UTF-8 decoding and JSON.parse cost more than everything else
 * the main thread does with it, and made two objects and a string per
 * message. Anything else — whitespace, other keys, a string timestamp, an
 * exponent, more than 15 significant digits — is left to the general
 * decoder, so what this reads is exactly what JSON.parse would have read.
 */
import { QUALITIES } from "../readings/index.js";
import type { ReadingFields } from "./decode.js";

const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/**
 * Up to 15 digits a mantissa is below 2^53, and 10^k is exact up to 10^22:
 * the quotient of two exact doubles is rounded once, to the double nearest
 * the decimal, as JSON.parse reads it (Clinger's fast path).
 */
const MAX_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

const KEY_VALUE = bytesOf('"value":');
const KEY_QUALITY = bytesOf('"quality":');
const KEY_TIMESTAMP = bytesOf('"timestamp":');
const QUALITY_BYTES = QUALITIES.map((q) => ({ text: q, bytes: bytesOf(`"${q}"`) }));

/** Where the last number read ended (readNumber's second result, kept out of an object per call). */
let end = 0;

/** The payload's fields when it has one of the plain shapes, else undefined (then the general decoder reads it). */
export function readPlainReading(bytes: Uint8Array): ReadingFields | undefined {
  if (bytes[0] !== OPEN) {
    const value = readNumber(bytes, 0);
    return value !== undefined && end === bytes.length ? { value } : undefined;
  }
  let value: number | undefined;
  let quality: string | undefined;
  let timestamp: number | undefined;
  let at = 1;
  for (;;) {
    if (value === undefined && startsWith(bytes, at, KEY_VALUE)) {
      value = readNumber(bytes, at + KEY_VALUE.length);
      if (value === undefined) return undefined;
      at = end;
    } else if (timestamp === undefined && startsWith(bytes, at, KEY_TIMESTAMP)) {
      timestamp = readNumber(bytes, at + KEY_TIMESTAMP.length);
      if (timestamp === undefined) return undefined;
      at = end;
    } else if (quality === undefined && startsWith(bytes, at, KEY_QUALITY)) {
      const from = at + KEY_QUALITY.length;
      for (const known of QUALITY_BYTES) {
        if (!startsWith(bytes, from, known.bytes)) continue;
        quality = known.text;
        at = from + known.bytes.length;
        break;
      }
      if (quality === undefined) return undefined;
    } else {
      return undefined;
    }
    if (bytes[at] === COMMA) at++;
    else if (bytes[at] === CLOSE && at === bytes.length - 1) return { value, quality, timestamp };
    else return undefined;
  }
}

/** JSON's number grammar without an exponent, of at most MAX_DIGITS digits, starting at `at`; sets `end`. */
function readNumber(bytes: Uint8Array, at: number): number | undefined {
  let i = at;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const first = bytes[i];
  if (first === undefined || first < ZERO || first > NINE) return undefined;
  let mantissa = 0;
  let digits = 0;
  // JSON allows no leading zeros: "0" alone, or "0." and a fraction.
  if (first === ZERO) {
    i++;
  } else {
    for (let b = bytes[i]; b !== undefined && b >= ZERO && b <= NINE; b = bytes[++i]) {
      mantissa = mantissa * 10 + (b - ZERO);
      digits++;
    }
  }
  let fraction = 0;
  if (bytes[i] === DOT) {
    i++;
    const from = i;
    for (let b = bytes[i]; b !== undefined && b >= ZERO && b <= NINE; b = bytes[++i]) {
      mantissa = mantissa * 10 + (b - ZERO);
      digits++;
    }
    fraction = i - from;
    if (fraction === 0) return undefined;
  }
  const next = bytes[i];
  // An exponent, or a digit after a leading zero ("01"), is for JSON.parse to take or refuse.
  if (digits > MAX_DIGITS || next === 0x65 || next === 0x45 || (next !== undefined && next >= ZERO && next <= NINE)) return undefined;
  end = i;
  const value = fraction === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fraction] as number);
  return negative ? -value : value;
}

function startsWith(bytes: Uint8Array, at: number, prefix: Uint8Array): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
