/**
 * An endpoint's readings go to the gateway one after another, in arrival
 * order, and no more than `maxPending` wait: the rest are rejected as
 * overloaded and counted, never queued without bound.
 */
import { describe, expect, it } from "vitest";
import { OrderedSubmitter } from "../../../../src/actors/connectors/opcua/ordered-submitter.js";
import type { ReadingSink } from "../../../../src/actors/connectors/opcua/index.js";
import type { RawReading, Reading } from "../../../../src/actors/readings/index.js";
import { silentLog } from "../../../fixtures/actor-system.js";

/** A gateway whose submissions the test completes by hand. */
function heldGateway() {
  const submitted: unknown[] = [];
  const held: (() => void)[] = [];
  const rejected: string[] = [];
  const gateway: ReadingSink = {
    submit: (raw: RawReading) => {
      submitted.push(raw.value);
      return new Promise((resolve) => held.push(() => resolve({} as Reading)));
    },
    reject: (_source, reason, detail) => {
      rejected.push(reason);
      return { reason, detail };
    },
  };
  return { gateway, submitted, held, rejected };
}

const raw = (value: number): RawReading => ({ unit: "UNIT001", sensor: "flow_rate", value });

describe("ordered submission of OPC UA readings", () => {
  it("submits the next reading only once the gateway has taken the previous one", async () => {
    const g = heldGateway();
    const submitter = new OrderedSubmitter(g.gateway, 10, silentLog, "plc");
    submitter.submit(raw(1));
    submitter.submit(raw(2));
    await Promise.resolve();
    await Promise.resolve();
    expect(g.submitted).toEqual([1]);
    g.held.shift()!();
    while (g.submitted.length < 2) await Promise.resolve();
    expect(g.submitted).toEqual([1, 2]);
    g.held.shift()!();
    await submitter.drained();
  });

  it("rejects readings beyond maxPending as overloaded, and accepts again once drained", async () => {
    const g = heldGateway();
    const submitter = new OrderedSubmitter(g.gateway, 2, silentLog, "plc");
    for (const v of [1, 2, 3, 4]) submitter.submit(raw(v));
    expect(g.rejected).toEqual(["overloaded", "overloaded"]);
    while (g.held.length > 0 || g.submitted.length < 2) {
      g.held.shift()?.();
      await Promise.resolve();
    }
    await submitter.drained();
    submitter.submit(raw(5));
    while (g.held.length === 0) await Promise.resolve();
    g.held.shift()!();
    await submitter.drained();
    expect(g.submitted).toEqual([1, 2, 5]);
  });
});
