/**
 * A compact encoding of plain data for snapshots in slabs: a tree of
 * objects, arrays, Float64Arrays, strings, numbers, booleans, null and
 * undefined, written by hand straight into the slab's buffer. At paced rates
 * nearly every sensor takes a change at every checkpoint, so a worker
 * encodes one per reading; v8.serialize costs several µs for each, much of
 * it fixed (a Serializer and a Buffer per call, a call back into JS per
 * typed array), and its garbage is a good part of the worker's collections.
 * This takes about half the time and allocates far less.
 *
 * Anything else (a Map, a Date, a class instance, a bigint, a shared or
 * circular reference, an array with holes...) is refused, and the caller
 * encodes the value with v8.serialize as before, so what is encoded here
 * decodes to what structured clone would give, but for one thing: an
 * array's properties other than its elements are not kept (snapshots are
 * not expected to have any; looking for them would cost as much again). The
 * two encodings are told apart by the first byte: v8's always starts with
 * its version tag, 0xFF.
 */
import { Buffer } from "node:buffer";
import { deserialize } from "node:v8";

const V8_VERSION_TAG = 0xff;
/** First byte of a piece in this encoding (its version). */
const PLAIN_V1 = 0x01;

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const INT32 = 4;
const FLOAT64 = 5;
const ONE_BYTE_STRING = 6;
const TWO_BYTE_STRING = 7;
const ARRAY = 8;
const OBJECT = 9;
const FLOAT64_ARRAY = 10;

/** Bytes of the largest scalar: a tag and a float64. */
const SCALAR_BYTES = 9;
/** Stands in the list of objects for none. */
const NOTHING = {};

/** Deeper than this is refused (v8.serialize then decides). */
const MAX_DEPTH = 64;

/** Thrown (and caught) to give up on a value this encoding does not hold. */
const REFUSED = new Error("not plain data");

/** Objects looked up in a list up to this many per value, in a Set beyond (cheaper for a few: no identity hashes). */
const LISTED_OBJECTS = 32;

/** Appends encoded values to a growable buffer. */
export class PlainWriter {
  buffer: Uint8Array;
  used = 0;
  private view: DataView;
  /**
   * The objects of the value being written, to refuse a shared or circular
   * reference (structured clone keeps them as such).
   */
  private readonly listed: object[] = [];
  private listedCount = 0;
  private readonly many = new Set<object>();

  constructor(bytes: number) {
    this.buffer = new Uint8Array(bytes);
    this.view = new DataView(this.buffer.buffer);
  }

  /** Appends the value; false, appending nothing, when it is not plain data as this encoding knows it. */
  write(value: unknown): boolean {
    const start = this.used;
    try {
      this.reserve(1);
      this.buffer[this.used++] = PLAIN_V1;
      this.value(value, 0);
      return true;
    } catch {
      // Refused, or a getter threw: v8.serialize meets the value next, and reports what it cannot clone.
      this.used = start;
      return false;
    } finally {
      this.listed.fill(NOTHING, 0, this.listedCount);
      this.listedCount = 0;
      if (this.many.size > 0) this.many.clear();
    }
  }

  /** Appends bytes encoded otherwise. */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.byteLength);
    this.buffer.set(bytes, this.used);
    this.used += bytes.byteLength;
  }

  /** Starts afresh with an empty buffer of this size. */
  reset(bytes: number): void {
    this.buffer = new Uint8Array(bytes);
    this.view = new DataView(this.buffer.buffer);
    this.used = 0;
  }

  private value(v: unknown, depth: number): void {
    // Room for any scalar: strings, arrays and objects reserve more as they go.
    if (this.used + SCALAR_BYTES > this.buffer.byteLength) this.reserve(SCALAR_BYTES);
    const at = this.used;
    switch (typeof v) {
      case "number":
        // -0 is a double: an int32 would lose its sign.
        if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
          this.buffer[at] = INT32;
          this.view.setInt32(at + 1, v, true);
          this.used = at + 5;
        } else {
          this.buffer[at] = FLOAT64;
          this.view.setFloat64(at + 1, v, true);
          this.used = at + 9;
        }
        return;
      case "string":
        this.string(v);
        return;
      case "boolean":
        this.buffer[at] = v ? TRUE : FALSE;
        this.used = at + 1;
        return;
      case "undefined":
        this.buffer[at] = UNDEFINED;
        this.used = at + 1;
        return;
      case "object":
        if (v === null) {
          this.buffer[at] = NULL;
          this.used = at + 1;
        } else this.object(v, depth);
        return;
      default:
        throw REFUSED; // bigint, symbol, function
    }
  }

  private object(o: object, depth: number): void {
    if (depth >= MAX_DEPTH) throw REFUSED;
    this.list(o);
    const proto = Object.getPrototypeOf(o) as unknown;
    if (proto === Object.prototype || proto === null) this.record(o as Record<string, unknown>, depth);
    else if (proto === Array.prototype) this.array(o as unknown[], depth);
    else if (proto === Float64Array.prototype) this.float64Array(o as Float64Array);
    else throw REFUSED;
  }

  private record(o: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(o);
    // Read with the keys in one go: a keyed read per property is a slow lookup on objects of many shapes.
    const values = Object.values(o);
    if (values.length !== keys.length) throw REFUSED; // a getter added or removed properties
    this.header(OBJECT, keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      // Set on a new object it would be its prototype, not a property.
      if (key === "__proto__") throw REFUSED;
      this.string(key);
      this.value(values[i], depth + 1);
    }
  }

  private array(a: unknown[], depth: number): void {
    this.header(ARRAY, a.length);
    for (let i = 0; i < a.length; i++) {
      const item = a[i];
      // A hole is kept by structured clone, not here.
      if (item === undefined && !(i in a)) throw REFUSED;
      this.value(item, depth + 1);
    }
  }

  private float64Array(a: Float64Array): void {
    this.header(FLOAT64_ARRAY, a.length);
    // Copied as it lies in memory: pieces are read on the machine that wrote them.
    this.append(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }

  private string(s: string): void {
    const n = s.length;
    if (this.used + 5 + 2 * n > this.buffer.byteLength) this.reserve(5 + 2 * n);
    const at = this.used;
    const b = this.buffer;
    b[at] = ONE_BYTE_STRING;
    this.view.setUint32(at + 1, n, true);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        // Written again as UTF-16 code units, which keep even a lone surrogate.
        b[at] = TWO_BYTE_STRING;
        for (let j = 0; j < n; j++) this.view.setUint16(at + 5 + 2 * j, s.charCodeAt(j), true);
        this.used = at + 5 + 2 * n;
        return;
      }
      b[at + 5 + i] = c;
    }
    this.used = at + 5 + n;
  }

  private header(tag: number, count: number): void {
    if (this.used + 5 > this.buffer.byteLength) this.reserve(5);
    this.buffer[this.used] = tag;
    this.view.setUint32(this.used + 1, count, true);
    this.used += 5;
  }

  /** Notes an object of the value; refuses one met before. */
  private list(o: object): void {
    const n = this.listedCount;
    if (n < LISTED_OBJECTS) {
      const listed = this.listed;
      for (let i = 0; i < n; i++) if (listed[i] === o) throw REFUSED;
      listed[n] = o;
    } else {
      if (n === LISTED_OBJECTS) for (const x of this.listed) this.many.add(x);
      if (this.many.has(o)) throw REFUSED;
      this.many.add(o);
    }
    this.listedCount = n + 1;
  }

  private reserve(bytes: number): void {
    const end = this.used + bytes;
    if (end <= this.buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(end, 2 * this.buffer.byteLength));
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** The value a piece holds, in either encoding. */
export function decodePiece(bytes: Uint8Array): unknown {
  if (bytes[0] === V8_VERSION_TAG) return deserialize(bytes);
  if (bytes[0] !== PLAIN_V1) throw new Error(`unknown snapshot encoding ${bytes[0]}`);
  return new PlainReader(bytes).value();
}

class PlainReader {
  private at = 1;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  value(): unknown {
    const tag = this.bytes[this.at++];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case INT32:
        this.at += 4;
        return this.view.getInt32(this.at - 4, true);
      case FLOAT64:
        this.at += 8;
        return this.view.getFloat64(this.at - 8, true);
      case ONE_BYTE_STRING:
      case TWO_BYTE_STRING:
        return this.string(tag);
      case ARRAY: {
        const n = this.uint32();
        const a: unknown[] = [];
        for (let i = 0; i < n; i++) a.push(this.value());
        return a;
      }
      case OBJECT: {
        const n = this.uint32();
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const key = this.string(this.bytes[this.at++] as number);
          o[key] = this.value();
        }
        return o;
      }
      case FLOAT64_ARRAY: {
        const n = this.uint32();
        // A copy, aligned, and not a view of the slab (whose buffer is reused while filling).
        const a = new Float64Array(n);
        new Uint8Array(a.buffer).set(this.bytes.subarray(this.at, this.at + 8 * n));
        this.at += 8 * n;
        return a;
      }
      default:
        throw new Error(`corrupt snapshot piece: tag ${tag}`);
    }
  }

  private string(tag: number): string {
    const n = this.uint32();
    const bytes = tag === ONE_BYTE_STRING ? n : 2 * n;
    const at = this.at;
    this.at += bytes;
    // Buffer's latin1 and utf16le are byte for byte (TextDecoder's are not: windows-1252, and lone surrogates replaced).
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + at, bytes).toString(tag === ONE_BYTE_STRING ? "latin1" : "utf16le");
  }

  private uint32(): number {
    this.at += 4;
    return this.view.getUint32(this.at - 4, true);
  }
}
