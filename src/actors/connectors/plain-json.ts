/**
 * The pieces of compact JSON read straight from a payload's bytes, for the
 * decoders that read the common payloads without UTF-8 decoding and
 * JSON.parse (a single reading, plain-reading.ts; a batch, plain-batch.ts).
 * Each reads only what it reads exactly as JSON.parse would: anything else
 * is undefined, and the caller leaves the whole payload to JSON.parse.
 */
import { ID_PATTERN, QUALITIES, type ReadingQuality } from "../readings/index.js";

/** The bytes of JSON's punctuation the readers look for. */
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
export const OPEN = 0x7b;
export const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * A mantissa below 2^53 is exact, and so is 10^k up to 10^22: the quotient
 * of two exact doubles is rounded once, to the double nearest the decimal,
 * as JSON.parse reads it (Clinger's fast path). A mantissa read past 2^53
 * is never rounded back below it, so one compare at the end tells.
 */
const MAX_MANTISSA = Number.MAX_SAFE_INTEGER;
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FRACTION = POWERS_OF_TEN.length - 1;

/** A compact reading's keys, each with its quotes and colon. */
export const KEY_UNIT = plainKey('"unit":');
export const KEY_SENSOR = plainKey('"sensor":');
export const KEY_VALUE = plainKey('"value":');
export const KEY_QUALITY = plainKey('"quality":');
export const KEY_TIMESTAMP = plainKey('"timestamp":');

const QUALITY_KEYS = QUALITIES.map((q) => ({ text: q, key: plainKey(`"${q}"`) }));

/** The longest id ID_PATTERN allows: a longer string is none, and is not read to its end. */
const MAX_ID_CHARS = 64;
/** The bytes an id may have, by ID_PATTERN itself (1 where it takes the byte as a one-character id). */
const ID_BYTES = Uint8Array.from({ length: 256 }, (_, b) => (b < 0x80 && ID_PATTERN.test(String.fromCharCode(b)) ? 1 : 0));
/**
 * Each plain id read, in a slot chosen by a hash of its bytes: the same
 * string for every reading that names it. A plant's few thousand ids fit
 * with room to spare; two that share a slot take turns in it, and a flood
 * of ever new ids cannot hold more than the slots. An array slot, not a
 * Map: two lookups per reading.
 */
const ID_SLOTS = 16_384;
const ids = new Array<string | undefined>(ID_SLOTS).fill(undefined);

/** Where the last number, quality or id read ended (the readers' second result, kept out of an object per call). */
let end = 0;

/** The index just past the number, quality or id last read. */
export function plainEnd(): number {
  return end;
}

/** JSON's number grammar without an exponent, its digits below 2^53 and at most 22 of them after the point, starting at `at`; plainEnd() then tells where it ended. */
export function readPlainNumber(bytes: Uint8Array, at: number): number | undefined {
  let i = at;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const first = bytes[i];
  if (first === undefined || first < ZERO || first > NINE) return undefined;
  let mantissa = 0;
  // JSON allows no leading zeros: "0" alone, or "0." and a fraction.
  if (first === ZERO) {
    i++;
  } else {
    for (let b = bytes[i]; b !== undefined && b >= ZERO && b <= NINE; b = bytes[++i]) mantissa = mantissa * 10 + (b - ZERO);
  }
  let fraction = 0;
  if (bytes[i] === DOT) {
    i++;
    const from = i;
    for (let b = bytes[i]; b !== undefined && b >= ZERO && b <= NINE; b = bytes[++i]) mantissa = mantissa * 10 + (b - ZERO);
    fraction = i - from;
    if (fraction === 0) return undefined;
  }
  const next = bytes[i];
  // An exponent, or a digit after a leading zero ("01"), is for JSON.parse to take or refuse.
  if (mantissa > MAX_MANTISSA || fraction > MAX_FRACTION || next === 0x65 || next === 0x45 || (next !== undefined && next >= ZERO && next <= NINE)) return undefined;
  end = i;
  const value = fraction === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fraction] as number);
  return negative ? -value : value;
}

/** A quality as a JSON string spelt as the readings name it (`"GOOD"`), starting at `at`; plainEnd() then tells where it ended. */
export function readPlainQuality(bytes: Uint8Array, at: number): ReadingQuality | undefined {
  for (const known of QUALITY_KEYS) {
    if (!hasKey(bytes, at, known.key)) continue;
    end = at + known.key.length;
    return known.text;
  }
  return undefined;
}

/** A key (or any other fixed text of at least four bytes) as its bytes taken four at a time, the last four overlapping the rest. */
export interface PlainKey {
  readonly length: number;
  readonly words: Int32Array;
}

export function plainKey(text: string): PlainKey {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length < 4) throw new RangeError(`a plain key has at least four bytes: ${text}`);
  const words: number[] = [];
  for (let at = 0; at + 4 < bytes.length; at += 4) words.push(wordAt(bytes, at));
  words.push(wordAt(bytes, bytes.length - 4));
  return { length: bytes.length, words: Int32Array.from(words) };
}

/** Whether the key's bytes are at `at`: two or three compares of four bytes, where one at a time took a third of a batch's reading. */
export function hasKey(bytes: Uint8Array, at: number, key: PlainKey): boolean {
  if (at < 0 || at + key.length > bytes.length) return false;
  const words = key.words;
  const last = words.length - 1;
  for (let k = 0; k < last; k++) if (wordAt(bytes, at + 4 * k) !== words[k]) return false;
  return wordAt(bytes, at + key.length - 4) === words[last];
}

/** Four bytes from `at` as one 32-bit integer (in bounds: the callers check). */
function wordAt(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
}

/**
 * A unit or sensor id as a JSON string (starting at its opening quote) that
 * ID_PATTERN accepts, as one string per id across payloads: no string is
 * made per reading, and the gateway's lookups by it find its hash already
 * computed. Undefined for any other string; plainEnd() then tells where it ended.
 */
export function readPlainId(bytes: Uint8Array, at: number): string | undefined {
  if (bytes[at] !== QUOTE) return undefined;
  const from = at + 1;
  const limit = Math.min(bytes.length, from + MAX_ID_CHARS + 1);
  // FNV-1a over the id's bytes.
  let hash = 0x811c9dc5;
  let i = from;
  for (; i < limit; i++) {
    const b = bytes[i] as number;
    if (b === QUOTE) break;
    // An escape, a space, anything past ASCII: what the string is, and whether it is an id, is for JSON.parse and the validation to say.
    if (ID_BYTES[b] !== 1) return undefined;
    hash = Math.imul(hash ^ b, 0x01000193);
  }
  if (i === limit) return undefined;
  end = i + 1;
  const slot = hash & (ID_SLOTS - 1);
  const known = ids[slot];
  if (known !== undefined && spells(known, bytes, from, i)) return known;
  const text = String.fromCharCode(...bytes.subarray(from, i));
  // The very check the validation makes of an id, made once per id.
  if (!ID_PATTERN.test(text)) return undefined;
  ids[slot] = text;
  return text;
}

/** Whether bytes[from, to) are the characters of `text` (a different id may share the slot). */
function spells(text: string, bytes: Uint8Array, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let i = from; i < to; i++) if (text.charCodeAt(i - from) !== bytes[i]) return false;
  return true;
}
