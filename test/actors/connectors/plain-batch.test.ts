import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBatch, parseJsonBatch, submitBatch, type BatchAnswer } from "../../../src/actors/connectors/batch.js";
import { isRejection } from "../../../src/actors/connectors/decode.js";
import { readPlainBatch } from "../../../src/actors/connectors/plain-batch.js";
import { IngestGateway, type RejectedReading } from "../../../src/actors/ingest/index.js";
import { CheckedReading, DEFAULT_READING_LIMITS, IngestCounters, type Reading, type Rejection } from "../../../src/actors/readings/index.js";
import { createActorSystem, type ActorSystem } from "../../../src/runtime/index.js";
import { silentLog } from "../../fixtures/actor-system.js";
import { sensorRecorder, type SensorRecorder } from "../../fixtures/sensor-recorder.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A seeded stream of choices, so a failing batch is the same batch on every run. */
class Choices {
  constructor(private seed: number) {}

  next(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return this.seed / 2_147_483_648;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const KNOWN_UNITS = ["UNIT001", "UNIT002", "U-3", "plant_a", "X".repeat(64)];
const SENSORS = ["temperature", "pressure", "flow_rate", "s", "Vib-2", "p".repeat(64)];

/** A number as devices and gateways print them: fixed decimals of up to 15 digits, or (not plain) any form, some only JSON.parse reads. */
function printedNumber(c: Choices, plain: boolean): string {
  if (plain) return c.chance(0.95) ? ((c.next() - 0.5) * 10 ** c.int(9)).toFixed(c.int(7)) : c.pick(["0", "-0", "0.0", "-0.00", "123456789012345", "0.000000000000001", "-999999999999999"]);
  const x = (c.next() - 0.5) * 10 ** c.int(16);
  const pick = c.next();
  if (pick < 0.35) return x.toFixed(c.int(8));
  if (pick < 0.6) return x.toPrecision(1 + c.int(17));
  if (pick < 0.9) return String(x);
  return c.pick(["0", "-0", "1e3", "1E-2", "-1.5e+2", "1e400", "-1e400", "9007199254740993", "01", "1.", "-", ".5"]);
}

/** A timestamp as a JSON value: in range, in epoch seconds, far off either way, or (not plain) JSON.parse's to read. */
function printedTimestamp(c: Choices, plain: boolean): string {
  const pick = c.next();
  if (pick < 0.55) return String(NOW - c.int(3_600_000));
  if (pick < 0.6) return String(Math.floor(NOW / 1000) - c.int(3600));
  if (pick < 0.65) return String(NOW + 3_600_000);
  if (pick < 0.7) return String(NOW - 30 * 24 * 3_600_000);
  // A send stamp: epoch ms with three decimals, 16 digits.
  if (pick < 0.75) return `${NOW - c.int(1000)}.${String(c.int(1000)).padStart(3, "0")}`;
  if (plain) return c.pick(["0", "-1", String(NOW + 4 * 60 * 1000), String(NOW - DEFAULT_READING_LIMITS.maxAgeMs - 1)]);
  return c.pick(['"2026-11-24T11:59:00Z"', '"2026-11-24T11:59:00.000+01:00"', '"yesterday"', '""', "null", "true", "{}", "1.7e12", String(NOW + 4 * 60 * 1000)]);
}

function printedId(c: Choices, pool: readonly string[]): string {
  if (c.chance(0.85)) return JSON.stringify(c.pick(pool));
  return c.pick(['"UNIT 001"', '""', `"${"Y".repeat(65)}"`, '"ÜNIT"', '"UNIT\\u0030"', '"UN\\"IT"', '"a/b"', "42", "null", '["UNIT001"]', '"unit.1"']);
}

function printedQuality(c: Choices): string {
  if (c.chance(0.85)) return c.pick(['"GOOD"', '"UNCERTAIN"', '"BAD"']);
  return c.pick(['"good"', '"Bad"', '"OK"', '""', "1", "null", '"GOOD "', '"\\u0047OOD"']);
}

/** One item of a batch: mostly a compact reading, its keys in any order; now and then something else. */
function printedItem(c: Choices, plain: boolean): string {
  if (!plain && c.chance(0.05)) return c.pick(["42", '"reading"', "null", "[]", "true", "{}"]);
  const fields: [string, string][] = [
    ["unit", plain ? JSON.stringify(c.pick(KNOWN_UNITS.concat("UNIT999"))) : printedId(c, KNOWN_UNITS.concat("UNIT999"))],
    ["sensor", plain ? JSON.stringify(c.pick(SENSORS)) : printedId(c, SENSORS)],
    ["value", plain || c.chance(0.85) ? printedNumber(c, plain) : c.pick(['"25.5"', "null", "true", '{"v":1}', "[1]", '"NaN"'])],
  ];
  if (c.chance(0.7)) fields.push(["quality", plain ? c.pick(['"GOOD"', '"UNCERTAIN"', '"BAD"']) : printedQuality(c)]);
  if (c.chance(0.8)) fields.push(["timestamp", printedTimestamp(c, plain)]);
  if (!plain) {
    if (c.chance(0.1)) fields.splice(c.int(fields.length), 1);
    if (c.chance(0.05)) fields.push([c.pick(["site", "units", "Value"]), '"x"']);
    if (c.chance(0.05)) fields.push(c.pick(fields));
  }
  if (c.chance(0.5)) fields.sort(() => c.next() - 0.5);
  return `{${fields.map(([k, v]) => `"${k}":${v}`).join(",")}}`;
}

/** A batch body: compact readings as gateways send them, or now and then something about the body itself that is off. */
function printedBatch(c: Choices): string {
  const plain = c.chance(0.5);
  const items = Array.from({ length: 1 + c.int(40) }, () => printedItem(c, plain));
  const array = `[${items.join(",")}]`;
  const body = c.chance(0.15) ? `{"readings":${array}}` : array;
  if (plain || c.chance(0.7)) return body;
  return c.pick([
    ` ${body}`,
    `${body}\n`,
    body.replace(",", ", "),
    body.replace(":", ": "),
    `\uFEFF${body}`,
    body.slice(0, body.length - 1),
    `${body}]`,
    `${body.slice(0, -1)},]`,
    "[]",
    '{"readings":[]}',
    '{"readings":{}}',
    `{"readings":${array},"more":1}`,
    `{"batch":${array}}`,
    "25.5",
    "",
  ]);
}

interface Side {
  readonly system: ActorSystem;
  readonly sensors: SensorRecorder;
  readonly counters: IngestCounters;
  readonly gateway: IngestGateway;
  readonly told: RejectedReading[];
}

async function side(): Promise<Side> {
  const sensors = sensorRecorder();
  const system = await createActorSystem({ workers: 0, kinds: [sensors.kind], log: silentLog });
  const counters = new IngestCounters();
  const told: RejectedReading[] = [];
  const gateway = new IngestGateway({
    system,
    counters,
    log: silentLog,
    now: () => NOW,
    limits: { ...DEFAULT_READING_LIMITS, knownUnits: new Set(KNOWN_UNITS) },
    onRejected: (r) => told.push(r),
  });
  return { system, sensors, counters, gateway, told };
}

/** What the NATS batch subscription does with a body, parsed the given way. */
async function ingest(s: Side, body: Uint8Array, parse: (bytes: Uint8Array) => unknown[] | Rejection): Promise<BatchAnswer | Rejection> {
  const items = parse(body);
  if (isRejection(items)) return s.gateway.reject("nats", items.reason, items.detail);
  return submitBatch(s.gateway, items, "nats");
}

function bySensor(readings: readonly Reading[]): Reading[] {
  return [...readings].sort((a, b) => (a.unit === b.unit ? a.sensor.localeCompare(b.sensor) : a.unit.localeCompare(b.unit)));
}

describe("batch bodies read from their bytes", () => {
  it("reads compact readings, their keys in any order, quality and timestamp optional, as JSON.parse reads them", () => {
    const text =
      '[{"unit":"UNIT001","sensor":"temperature","value":25.5,"quality":"GOOD","timestamp":1764000000000},' +
      '{"timestamp":1764000000000.5,"value":-3,"sensor":"pressure","quality":"UNCERTAIN","unit":"U-2"},' +
      '{"sensor":"flow_rate","unit":"plant_a","value":0.001}]';
    const read = readPlainBatch(bytes(text));
    expect(read).toEqual(JSON.parse(text));
    expect(read?.every((r) => r instanceof CheckedReading)).toBe(true);
  });

  it('reads {"readings": [...]} as the array it wraps', () => {
    const array = '[{"unit":"UNIT001","sensor":"temperature","value":25.5},{"unit":"UNIT001","sensor":"pressure","value":5.28,"quality":"BAD"}]';
    expect(readPlainBatch(bytes(`{"readings":${array}}`))).toEqual(JSON.parse(array));
  });

  it("reads every id of a plant far larger than it remembers, each as itself", () => {
    const ids = Array.from({ length: 40_000 }, (_, i) => `U${i.toString(36)}-${(i * 7919) % 1000}`);
    for (let from = 0; from < ids.length; from += 1000) {
      const slice = ids.slice(from, from + 1000);
      const read = readPlainBatch(bytes(`[${slice.map((id, i) => `{"unit":"${id}","sensor":"${slice[slice.length - 1 - i]}","value":1}`).join(",")}]`));
      expect(read?.map((r) => r.unit)).toEqual(slice);
      expect(read?.map((r) => r.sensor)).toEqual([...slice].reverse());
    }
  });

  it.each([
    ["whitespace between items", '[{"unit":"U1","sensor":"s","value":1}, {"unit":"U1","sensor":"s","value":2}]'],
    ["whitespace around the body", ' [{"unit":"U1","sensor":"s","value":1}]\n'],
    ["a byte order mark", '\uFEFF[{"unit":"U1","sensor":"s","value":1}]'],
    ["an id with an escape", '[{"unit":"U\\u0031","sensor":"s","value":1}]'],
    ["an id past ASCII", '[{"unit":"ÜNIT","sensor":"s","value":1}]'],
    ["an id the validation refuses", '[{"unit":"U 1","sensor":"s","value":1}]'],
    ["an id longer than 64 characters", `[{"unit":"${"U".repeat(65)}","sensor":"s","value":1}]`],
    ["an empty id", '[{"unit":"","sensor":"s","value":1}]'],
    ["an id that is not a string", '[{"unit":1,"sensor":"s","value":1}]'],
    ["a quality in lower case", '[{"unit":"U1","sensor":"s","value":1,"quality":"good"}]'],
    ["an unknown quality", '[{"unit":"U1","sensor":"s","value":1,"quality":"OK"}]'],
    ["a timestamp as a string", '[{"unit":"U1","sensor":"s","value":1,"timestamp":"2026-11-24T12:00:00Z"}]'],
    ["a value that is a string", '[{"unit":"U1","sensor":"s","value":"1"}]'],
    ["a nested value", '[{"unit":"U1","sensor":"s","value":{"v":1}}]'],
    ["an exponent", '[{"unit":"U1","sensor":"s","value":1e3}]'],
    ["a mantissa past 2^53", '[{"unit":"U1","sensor":"s","value":9007199254740993}]'],
    ["a leading zero", '[{"unit":"U1","sensor":"s","value":01}]'],
    ["another key", '[{"unit":"U1","sensor":"s","value":1,"site":"A"}]'],
    ["a repeated key", '[{"unit":"U1","sensor":"s","value":1,"value":2}]'],
    ["a reading without a value", '[{"unit":"U1","sensor":"s"}]'],
    ["a reading without a unit", '[{"sensor":"s","value":1}]'],
    ["an item that is not an object", '[{"unit":"U1","sensor":"s","value":1},42]'],
    ["an empty array", "[]"],
    ["a trailing comma", '[{"unit":"U1","sensor":"s","value":1},]'],
    ["a cut-off body", '[{"unit":"U1","sensor":"s","value":1}'],
    ["something after the array", '[{"unit":"U1","sensor":"s","value":1}]]'],
    ["a wrapper with another key", '{"readings":[{"unit":"U1","sensor":"s","value":1}],"site":"A"}'],
    ["an object that is not a wrapper", '{"unit":"U1","sensor":"s","value":1}'],
    ["nothing", ""],
  ])("leaves %s to JSON.parse", (_, text) => {
    expect(readPlainBatch(bytes(text))).toBeUndefined();
  });

  describe("whichever way a body goes, the gateway answers and counts the same", () => {
    let scanned: Side;
    let parsed: Side;

    beforeAll(async () => {
      scanned = await side();
      parsed = await side();
    });

    afterAll(async () => {
      await scanned.system.stop();
      await parsed.system.stop();
    });

    it("over thousands of generated batches, good and bad, read from their bytes or not", async () => {
      const c = new Choices(20_261_124);
      let read = 0;
      let readWithRejections = 0;
      let accepted = 0;
      for (let n = 0; n < 3000; n++) {
        const body = bytes(printedBatch(c));
        const plain = readPlainBatch(body);
        const viaScan = await ingest(scanned, body, parseBatch);
        const viaJson = await ingest(parsed, body, parseJsonBatch);
        expect(viaScan, new TextDecoder().decode(body)).toEqual(viaJson);
        if (plain !== undefined) {
          read++;
          if ((viaScan as BatchAnswer).rejected.length > 0) readWithRejections++;
        }
        if (!isRejection(viaJson)) accepted += viaJson.accepted;
      }
      await scanned.sensors.until("every accepted reading read from bytes", (r) => r.length === accepted);
      await parsed.sensors.until("every accepted reading parsed", (r) => r.length === accepted);
      // Each sensor's readings in its order; how two actors' turns interleave is the scheduler's.
      expect(bySensor(scanned.sensors.readings)).toEqual(bySensor(parsed.sensors.readings));
      expect(scanned.counters.snapshot()).toEqual(parsed.counters.snapshot());
      expect(scanned.told).toEqual(parsed.told);
      // The comparison is worth something only if both ways were taken often, bad readings among them.
      expect(read).toBeGreaterThan(1000);
      expect(readWithRejections).toBeGreaterThan(500);
      expect(3000 - read).toBeGreaterThan(1000);
    });
  });
});
