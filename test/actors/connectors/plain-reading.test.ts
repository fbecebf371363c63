import { describe, expect, it } from "vitest";
import { decodeReadingPayload } from "../../../src/actors/connectors/decode.js";
import { readPlainReading } from "../../../src/actors/connectors/plain-reading.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A fixed sequence of numbers as devices print them: integers, fixed decimals, shortest round-trip forms, signs and zeros. */
function printedNumbers(count: number): string[] {
  let seed = 12_345;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const out = ["0", "-0", "0.0", "0.1", "0.2", "0.30000000000000004", "999999999999999", "-123456789012345", "0.000000000000001", "1700000000000"];
  while (out.length < count) {
    const x = (random() - 0.5) * 10 ** Math.floor(random() * 16);
    const pick = random();
    if (pick < 0.4) out.push(x.toFixed(Math.floor(random() * 8)));
    else if (pick < 0.7) out.push(x.toPrecision(1 + Math.floor(random() * 15)));
    else out.push(String(x));
  }
  return out;
}

describe("plain single-reading payloads read from their bytes", () => {
  it("reads a reading object's value, quality and timestamp, in any key order, as JSON.parse reads them", () => {
    expect(readPlainReading(bytes('{"value":25.5,"quality":"GOOD","timestamp":1700000000000}'))).toEqual({ value: 25.5, quality: "GOOD", timestamp: 1_700_000_000_000 });
    expect(readPlainReading(bytes('{"timestamp":1700000000000.5,"value":-3,"quality":"UNCERTAIN"}'))).toEqual({ value: -3, quality: "UNCERTAIN", timestamp: 1_700_000_000_000.5 });
    expect(readPlainReading(bytes('{"quality":"BAD","value":0.001}'))).toEqual({ value: 0.001, quality: "BAD", timestamp: undefined });
    expect(readPlainReading(bytes('{"value":7}'))).toEqual({ value: 7, quality: undefined, timestamp: undefined });
  });

  it("reads every printed number of up to 15 digits, bare or as a value, to the very double JSON.parse reads", () => {
    let checked = 0;
    for (const text of printedNumbers(20_000)) {
      // Every digit printed counts, but for a lone leading zero.
      const digits = text.replace(/^-?0?/, "").replace(".", "").length;
      if (digits > 15 || /e/i.test(text)) continue;
      expect(Object.is(readPlainReading(bytes(text))?.value, JSON.parse(text))).toBe(true);
      expect(Object.is(readPlainReading(bytes(`{"value":${text}}`))?.value, JSON.parse(text))).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it("reads numbers of any length to the double JSON.parse reads, or leaves them: send stamps of 16 digits and 22 after the point are read", () => {
    expect(readPlainReading(bytes("1764000000000.125"))?.value).toBe(1_764_000_000_000.125);
    expect(readPlainReading(bytes("9007199254740991"))?.value).toBe(Number.MAX_SAFE_INTEGER);
    expect(readPlainReading(bytes("0.0000000000000000000001"))?.value).toBe(JSON.parse("0.0000000000000000000001"));
    let seed = 99;
    const digit = (): string => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return String(seed % 10);
    };
    let read = 0;
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + (n % 24);
      let text = String(1 + (Number(digit()) % 9));
      for (let k = 1; k < length; k++) text += digit();
      const point = n % 3 === 0 ? -1 : (n * 7) % length;
      if (point > 0) text = `${text.slice(0, point)}.${text.slice(point)}`;
      if (n % 5 === 0) text = `-0.${"0".repeat(n % 7)}${text.replace(".", "")}`;
      const value = readPlainReading(bytes(text))?.value;
      if (value === undefined) continue;
      expect(Object.is(value, JSON.parse(text)), text).toBe(true);
      read++;
    }
    expect(read).toBeGreaterThan(10_000);
  });

  it.each([
    ["whitespace", ' {"value":1}'],
    ["whitespace between keys", '{"value":1, "quality":"GOOD"}'],
    ["another key", '{"value":1,"unit":"U1"}'],
    ["a repeated key", '{"value":1,"value":2}'],
    ["a timestamp as a string", '{"value":1,"timestamp":"2024-01-01T00:00:00Z"}'],
    ["a quality in lower case", '{"value":1,"quality":"good"}'],
    ["a quality with an escape", '{"value":1,"quality":"GOO\\u0044"}'],
    ["a value that is not a number", '{"value":"1"}'],
    ["an exponent", "1e5"],
    ["a mantissa past 2^53", "9007199254740993"],
    ["a mantissa of 2^53", "900719925474099.2"],
    ["more than 22 digits after the point", "0.00000000000000000000001"],
    ["a leading zero", "01"],
    ["a bare point", "1."],
    ["a trailing comma", '{"value":1,}'],
    ["something after the object", '{"value":1}x'],
    ["an empty object", "{}"],
    ["a word", "NaN"],
    ["nothing", ""],
  ])("leaves %s to the general decoder", (_, text) => {
    expect(readPlainReading(bytes(text))).toBeUndefined();
  });

  it("changes no verdict of the single-reading decoder, plain payload or not", () => {
    const general = (text: string): unknown => {
      try {
        const parsed = JSON.parse(text.trim()) as unknown;
        if (typeof parsed !== "object" || parsed === null) return { value: parsed };
        const fields = parsed as Record<string, unknown>;
        return { value: fields["value"], quality: fields["quality"], timestamp: fields["timestamp"] };
      } catch {
        return "not JSON";
      }
    };
    for (const text of ['{"value":25.5,"quality":"GOOD","timestamp":1700000000000}', '{"value":1, "quality":"good"}', "-0", "25.5", " 25.5 ", '{"value":1,"value":2}', "1e5"]) {
      const decoded = decodeReadingPayload(bytes(text));
      expect(decoded).toEqual(general(text));
      if (text === "-0") expect(Object.is((decoded as { value: unknown }).value, -0)).toBe(true);
    }
  });
});
