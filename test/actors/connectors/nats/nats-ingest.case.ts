/**
 * The NATS ingest specification, run against every Transport: a real
 * nats-server (nats.test.ts) and the in-process bus (in-process.test.ts).
 * A "device" transport publishes; the node's transport carries the ingest
 * subscriptions. Messages from one publisher reach a subscription in
 * order, so a good marker reading published last tells when everything
 * before it on that subject has been handled; batch requests are answered
 * only after handling.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startNatsIngest, type BatchAnswer, type NatsIngest } from "../../../../src/actors/connectors/index.js";
import type { RejectionReason } from "../../../../src/actors/readings/index.js";
import { SUBJECTS } from "../../../../src/actors/subjects.js";
import type { Transport } from "../../../../src/runtime/transport/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";
import { capturingLog, isoAgo, startRig, type Rig } from "../rig.js";

export interface TransportPair {
  /** Where the node's ingest subscribes. */
  readonly node: Transport;
  /** Another node's transport on the same bus or server. */
  readonly peer: Transport;
  /** What a gateway device publishes with. */
  readonly device: Transport;
  cleanup(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (value: unknown): Uint8Array => encoder.encode(typeof value === "string" ? value : JSON.stringify(value));

export function runNatsIngestSpec(name: string, connect: () => Promise<TransportPair>): void {
  describe(`NATS ingest over ${name}`, () => {
    let pair: TransportPair;
    let rig: Rig;
    let ingest: NatsIngest;
    let markers = 0;

    beforeEach(async () => {
      pair = await connect();
      rig = await startRig({ limits: { knownUnits: new Set(["UNIT001", "UNIT002", "UNIT003"]) } });
      ingest = await startNatsIngest({ transport: pair.node, gateway: rig.gateway, log: silentLog });
    });

    afterEach(async () => {
      await ingest.stop();
      await rig.stop();
      await pair.cleanup();
    });

    async function request(subject: string, payload: unknown): Promise<unknown> {
      const reply = await pair.device.request(subject, bytes(payload), { timeoutMs: 10_000 });
      return JSON.parse(decoder.decode(reply.data));
    }

    /** A good single reading after everything published so far; resolves once it reached its actor. */
    async function marker(): Promise<void> {
      const value = ++markers;
      pair.device.publish(SUBJECTS.ingestReading("UNIT003", "marker"), bytes(value));
      await rig.sensors.until(`marker ${value}`, () => rig.sensors.of("UNIT003", "marker").some((r) => r.value === value));
    }

    function rejections(): Partial<Record<RejectionReason, number>> {
      return rig.counters.snapshot().rejected.nats ?? {};
    }

    it("turns a bare number on vigil.ingest.reading.<unit>.<sensor> into a reading of that unit and sensor", async () => {
      pair.device.publish(SUBJECTS.ingestReading("UNIT001", "temperature"), bytes("21.5"));
      await rig.sensors.until("the reading", (all) => all.length === 1);
      expect(rig.sensors.readings[0]).toMatchObject({ unit: "UNIT001", sensor: "temperature", value: 21.5, quality: "GOOD", source: "nats" });
    });

    it("reads {value, quality, timestamp} on the single-reading subject", async () => {
      const timestamp = isoAgo(5_000);
      pair.device.publish(SUBJECTS.ingestReading("UNIT001", "pressure"), bytes({ value: 3.5, quality: "uncertain", timestamp }));
      await rig.sensors.until("the reading", (all) => all.length === 1);
      expect(rig.sensors.readings[0]).toMatchObject({ value: 3.5, quality: "UNCERTAIN", ts: Date.parse(timestamp) });
    });

    it("takes many readings in one batch message, in order", async () => {
      const batch = Array.from({ length: 500 }, (_, i) => ({ unit: `UNIT00${(i % 2) + 1}`, sensor: "flow_rate", value: i }));
      pair.device.publish(SUBJECTS.ingestBatch, bytes(batch));
      await rig.sensors.until("the whole batch", (all) => all.length === 500);
      expect(rig.sensors.of("UNIT002", "flow_rate").map((r) => r.value)).toEqual(batch.filter((_, i) => i % 2 === 1).map((r) => r.value));
    });

    it("answers a batch request with the count accepted and each rejection by index", async () => {
      const answer = await request(SUBJECTS.ingestBatch, [
        { unit: "UNIT001", sensor: "power", value: 80 },
        { unit: "UNIT001", sensor: "power", value: "NaN" },
        42,
        { unit: "UNIT001", sensor: "power", value: 81, timestamp: "2100-01-01T00:00:00Z" },
        { unit: "UNIT 1", sensor: "power", value: 82 },
        { unit: "UNIT009", sensor: "power", value: 83 },
        { unit: "UNIT002", sensor: "power", value: 84, quality: "BAD" },
      ]);
      expect(answer).toEqual({
        accepted: 2,
        rejected: [
          { index: 1, reason: "not_a_number", detail: expect.any(String) as string },
          { index: 2, reason: "malformed_payload", detail: expect.any(String) as string },
          { index: 3, reason: "timestamp_out_of_range", detail: expect.any(String) as string },
          { index: 4, reason: "invalid_id", detail: expect.any(String) as string },
          { index: 5, reason: "unknown_unit", detail: expect.any(String) as string },
        ],
      } satisfies BatchAnswer);
      await rig.sensors.until("the two good readings", (all) => all.length === 2);
      expect(rig.sensors.readings.map((r) => [r.unit, r.value, r.quality])).toEqual([
        ["UNIT001", 80, "GOOD"],
        ["UNIT002", 84, "BAD"],
      ]);
    });

    it('accepts {"readings": [...]} as a batch too, and answers a single-reading request', async () => {
      expect(await request(SUBJECTS.ingestBatch, { readings: [{ unit: "UNIT001", sensor: "vibration", value: 0.2 }] })).toEqual({ accepted: 1, rejected: [] });
      expect(await request(SUBJECTS.ingestReading("UNIT001", "vibration"), 0.3)).toEqual({ accepted: 1, rejected: [] });
      expect(await request(SUBJECTS.ingestReading("UNIT001", "vibration"), "Infinity")).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: "not_a_number" }] });
    });

    it("counts bad single readings by reason and keeps the subscription running", async () => {
      for (const payload of ["NaN", '{"value": "x"}', "not json", "[1]", "true", '{"value": 1, "quality": "SUPERB"}']) {
        pair.device.publish(SUBJECTS.ingestReading("UNIT001", "temperature"), bytes(payload));
      }
      pair.device.publish(SUBJECTS.ingestReading("UNIT$1", "temperature"), bytes("1"));
      pair.device.publish(SUBJECTS.ingestReading("UNIT404", "temperature"), bytes("1"));
      await marker();
      expect(rejections()).toEqual({ not_a_number: 3, malformed_payload: 2, invalid_quality: 1, invalid_id: 1, unknown_unit: 1 });
    });

    it("answers an unusable batch with an error code, counts it, and keeps the subscription running", async () => {
      expect(await request(SUBJECTS.ingestBatch, "{not json")).toMatchObject({ accepted: 0, rejected: [], error: { code: "malformed_payload" } });
      expect(await request(SUBJECTS.ingestBatch, { unit: "UNIT001", sensor: "x", value: 1 })).toMatchObject({ error: { code: "malformed_payload" } });
      expect(await request(SUBJECTS.ingestBatch, [{ unit: "UNIT001", sensor: "power", value: 1 }])).toEqual({ accepted: 1, rejected: [] });
      expect(rejections()).toEqual({ malformed_payload: 2 });
    });

    it("counts what its bounded buffer drops while the system is slow as overloaded: every reading is taken or counted", async () => {
      const slow = await startRig({ mailboxCapacity: 1 });
      const watch = capturingLog();
      const bounded = await startNatsIngest({ transport: pair.peer, gateway: slow.gateway, log: watch.log, queue: "bounded", maxPending: 5 });
      try {
        slow.sensors.hold(); // one reading held in the actor, one in its mailbox, the third refused
        for (let n = 1; n <= 30; n++) pair.device.publish(SUBJECTS.ingestReading("UNIT001", "load"), bytes(n));
        await watch.until("the slow-consumer warning", (r) => r.msg === "nats ingest is falling behind; the transport drops the oldest messages");
        slow.sensors.release();
        // Newest messages are kept, so this last one is taken once the consumer catches up.
        pair.device.publish(SUBJECTS.ingestReading("UNIT001", "load"), bytes(31));
        await slow.sensors.until("the last message", (all) => all.some((r) => r.value === 31));
        const overloaded = slow.rejected("nats", "overloaded");
        expect(overloaded).toBeGreaterThan(0);
        expect(slow.sensors.readings.length + overloaded).toBe(31);
      } finally {
        slow.sensors.release();
        await bounded.stop();
        await slow.stop();
      }
    });

    it("answers a single-reading request that had to wait for a full mailbox as accepted once its actor took it", async () => {
      const slow = await startRig({ mailboxCapacity: 1 });
      const waiting = await startNatsIngest({ transport: pair.peer, gateway: slow.gateway, log: silentLog, queue: "waiting" });
      const ask = async (value: number): Promise<unknown> =>
        JSON.parse(decoder.decode((await pair.device.request(SUBJECTS.ingestReading("UNIT001", "load"), bytes(value), { timeoutMs: 10_000 })).data));
      try {
        slow.sensors.hold();
        expect(await ask(1)).toEqual({ accepted: 1, rejected: [] });
        await slow.sensors.until("the first reading held in its actor", (all) => all.length === 1);
        expect(await ask(2)).toEqual({ accepted: 1, rejected: [] }); // in the mailbox
        const third = ask(3); // refused by the full mailbox until the actor is released
        // Round trips of both ends: the request has reached the node's subscription before the actor is released.
        await pair.device.flush();
        await pair.peer.flush();
        slow.sensors.release();
        expect(await third).toEqual({ accepted: 1, rejected: [] });
        await slow.sensors.until("all three readings", (all) => all.length === 3);
        expect(slow.counters.snapshot().accepted.nats).toBe(3);
      } finally {
        slow.sensors.release();
        await waiting.stop();
        await slow.stop();
      }
    });

    it("shares the subjects with another node in a queue group: each reading is taken once", async () => {
      const other = await startRig();
      const otherIngest = await startNatsIngest({ transport: pair.peer, gateway: other.gateway, log: silentLog });
      try {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, b) =>
            request(SUBJECTS.ingestBatch, Array.from({ length: 5 }, (_, i) => ({ unit: "UNIT001", sensor: "power", value: b * 5 + i }))),
          ),
        );
        expect(answers.every((a) => (a as BatchAnswer).accepted === 5)).toBe(true);
        // Each answer follows its readings' acceptance; a copy handled by the other node too would show here.
        const taken = (rig.counters.snapshot().accepted.nats ?? 0) + (other.counters.snapshot().accepted.nats ?? 0);
        expect(taken).toBe(100);
      } finally {
        await otherIngest.stop();
        await other.stop();
      }
    });
  });
}
