/**
 * Feeding an OPC UA server through the OpcUaValueSink interface: units are
 * added with their sensors when the runner opens, every reading sets its
 * variable's value, quality and source timestamp, and unit statuses follow
 * the plant.
 */
import { describe, expect, it } from "vitest";
import { Plant, SimulatorRunner, ValueSinkPublisher, type OpcUaValueSink } from "../../../../src/actors/simulator/index.js";
import { SimulatedClock } from "../../../../src/runtime/index.js";
import { MINUTE, SECOND, T0 } from "../helpers.js";

function recordingSink() {
  const units: [string, readonly string[]][] = [];
  const values = new Map<string, { value: number; quality: string; ts: number | undefined }>();
  const statuses: string[] = [];
  const sink: OpcUaValueSink = {
    addUnit: (unit, sensors) => void units.push([unit, [...sensors]]),
    setValue: (unit, sensor, value, quality, ts) => void values.set(`${unit}/${sensor}`, { value, quality, ts }),
    setStatus: (unit, status) => void statuses.push(`${unit} ${status}`),
  };
  return { sink, units, values, statuses };
}

describe("ValueSinkPublisher", () => {
  it("adds every unit with its sensors when the runner opens it, before any value", async () => {
    const { sink, units, values } = recordingSink();
    const plant = new Plant({ units: 3 });
    const runner = new SimulatorRunner({ plant, publishers: [new ValueSinkPublisher(sink)], clock: new SimulatedClock(T0) });
    await runner.start();
    expect(units).toEqual(plant.unitIds.map((u) => [u, ["temperature", "pressure", "flow_rate", "power", "vibration"]]));
    expect(values.size).toBe(15);
    await runner.close();
  });

  it("keeps each variable at its sensor's latest value, quality and measurement time", async () => {
    const { sink, values } = recordingSink();
    const clock = new SimulatedClock(T0);
    const plant = new Plant({ units: 2 });
    const seen: { unit: string; sensor: string; value: number; quality: string; timestamp: number }[] = [];
    const runner = new SimulatorRunner({ plant, publishers: [new ValueSinkPublisher(sink), { name: "spy", publish: (b) => void seen.push(...b) }], clock });
    await runner.start();
    runner.inject({ unit: "UNIT002", kind: "bad_quality", sensor: "power", durationMs: MINUTE });
    clock.advance(5 * SECOND);
    const latest = seen.slice(-10);
    for (const r of latest) expect(values.get(`${r.unit}/${r.sensor}`)).toEqual({ value: r.value, quality: r.quality, ts: r.timestamp });
    expect(values.get("UNIT002/power")?.quality).toBe("BAD");
    await runner.close();
  });

  it("serves each unit's status from the first batch on, and its changes: offline while it publishes nothing", async () => {
    const { sink, statuses } = recordingSink();
    const clock = new SimulatedClock(T0);
    const runner = new SimulatorRunner({ plant: new Plant({ units: 2, behaviour: { tripsPerDay: 0 } }), publishers: [new ValueSinkPublisher(sink)], clock });
    await runner.start();
    expect(statuses).toEqual(["UNIT001 online", "UNIT002 online"]);
    runner.inject({ unit: "UNIT002", kind: "unit_offline", durationMs: 10 * SECOND });
    clock.advance(MINUTE);
    expect(statuses).toEqual(["UNIT001 online", "UNIT002 online", "UNIT002 offline", "UNIT002 online"]);
    await runner.close();
  });
});
