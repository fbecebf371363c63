/**
 * The NATS publisher against a real nats-server through the Transport:
 * single readings on vigil.ingest.reading.<unit>.<sensor>, batches on
 * vigil.ingest.batch, in the formats the NATS ingest connector reads.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SUBJECTS } from "../../../../src/actors/subjects.js";
import { NatsPublisher, Plant, ReadingGenerator, type SimulatedReading } from "../../../../src/actors/simulator/index.js";
import { connectNatsTransport, type NatsTransport } from "../../../../src/runtime/transport/index.js";
import { startNats, stopAllServers, type ServerHandle } from "../../../harness/servers.js";
import { take } from "../../../runtime/transport/transport.case.js";
import { T0 } from "../helpers.js";

let server: ServerHandle;
const transports: NatsTransport[] = [];

beforeAll(async () => {
  server = await startNats({ jetstream: false });
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

afterAll(stopAllServers);

async function connect(name: string): Promise<NatsTransport> {
  const t = await connectNatsTransport({ servers: server.url, name });
  transports.push(t);
  return t;
}

function readings(n: number): SimulatedReading[] {
  return new ReadingGenerator(new Plant(), { startAt: T0 }).nextBatch(n);
}

const decoder = new TextDecoder();

describe("NatsPublisher", () => {
  it("in single mode sends one message per reading on vigil.ingest.reading.<unit>.<sensor> with {value, quality, timestamp}", async () => {
    const subscriber = await connect("sim-sub");
    const sub = subscriber.subscribe(SUBJECTS.ingestReadingAll);
    await subscriber.flush();
    const batch = readings(25);
    await new NatsPublisher(await connect("sim-pub"), { mode: "single" }).publish(batch);
    const messages = await take(sub, 25);
    expect(messages.map((m) => [m.subject, JSON.parse(decoder.decode(m.data)) as unknown])).toEqual(
      batch.map((r) => [SUBJECTS.ingestReading(r.unit, r.sensor), { value: r.value, quality: r.quality, timestamp: new Date(r.timestamp).toISOString() }]),
    );
  });

  it("in batch mode sends arrays of at most batchSize {unit, sensor, value, quality, timestamp} on vigil.ingest.batch, in order", async () => {
    const subscriber = await connect("sim-sub");
    const sub = subscriber.subscribe(SUBJECTS.ingestBatch);
    await subscriber.flush();
    const batch = readings(25);
    await new NatsPublisher(await connect("sim-pub"), { batchSize: 10, timestamps: "epoch-ms" }).publish(batch);
    const messages = await take(sub, 3);
    const arrays = messages.map((m) => JSON.parse(decoder.decode(m.data)) as unknown[]);
    expect(arrays.map((a) => a.length)).toEqual([10, 10, 5]);
    expect(arrays.flat()).toEqual(batch.map((r) => ({ unit: r.unit, sensor: r.sensor, value: r.value, quality: r.quality, timestamp: r.timestamp })));
  });

  it("refuses a batch size that is not a whole number of at least 1", async () => {
    const t = await connect("sim-pub");
    expect(() => new NatsPublisher(t, { batchSize: 0 })).toThrow(RangeError);
  });
});
