/**
 * The plant as the API reads it, over a real live state fed by publications:
 * the units list is memoised, so it must follow every change of a unit.
 */
import { describe, expect, it } from "vitest";
import { SUBJECTS } from "../../src/actors/subjects.js";
import { FeedState, PublicationFeed } from "../../src/http/feeds/index.js";
import { LivePlant } from "../../src/http/routes/index.js";

function unitState(unit: string, status: string): string {
  return JSON.stringify({ unit, status, operationalState: "NORMAL", severity: null, category: null, health: 1, method: "STATISTICAL", sensors: {}, lastReadingAt: 1, updatedAt: 1 });
}

describe("LivePlant.unitsJson", () => {
  it("follows a unit's newer state and a unit that reports for the first time", () => {
    const source = new PublicationFeed();
    const plant = new LivePlant(new FeedState(source));
    source.publication(SUBJECTS.unitState("U2"), unitState("U2", "online"));
    source.publication(SUBJECTS.unitState("U1"), unitState("U1", "online"));
    const statuses = (): string[] => (JSON.parse(plant.unitsJson()) as { units: { unit: string; status: string }[] }).units.map((u) => `${u.unit}:${u.status}`);
    expect(statuses()).toEqual(["U1:online", "U2:online"]);
    source.publication(SUBJECTS.unitState("U2"), unitState("U2", "maintenance"));
    expect(statuses()).toEqual(["U1:online", "U2:maintenance"]);
    source.publication(SUBJECTS.unitState("U0"), unitState("U0", "offline"));
    expect(statuses()).toEqual(["U0:offline", "U1:online", "U2:maintenance"]);
  });
});

function processed(unit: string, sensor: string, ts: number): string {
  return JSON.stringify({ unit, sensor, ts, value: ts / 1000, quality: "GOOD", anomaly: false, score: 0 });
}

describe("LivePlant.unitJson and sensorsJson", () => {
  it("follow a sensor's newer reading, a sensor that reports for the first time and the unit's newer state", () => {
    const source = new PublicationFeed();
    const plant = new LivePlant(new FeedState(source));
    source.publication(SUBJECTS.unitState("U1"), unitState("U1", "online"));
    source.publication(SUBJECTS.processed("U1", "temp"), processed("U1", "temp", 1000));
    const detail = (): string => {
      const u = JSON.parse(plant.unitJson("U1") ?? "null") as { status: string; latest: { sensor: string; ts: number }[] };
      return `${u.status} ${u.latest.map((r) => `${r.sensor}@${r.ts}`).join(",")}`;
    };
    const listed = (): string => (JSON.parse(plant.sensorsJson("U1") ?? "null") as { sensors: { sensor: string; ts: number }[] }).sensors.map((r) => `${r.sensor}@${r.ts}`).join(",");
    expect([detail(), listed()]).toEqual(["online temp@1000", "temp@1000"]);
    source.publication(SUBJECTS.processed("U1", "temp"), processed("U1", "temp", 2000));
    expect([detail(), listed()]).toEqual(["online temp@2000", "temp@2000"]);
    source.publication(SUBJECTS.processed("U1", "flow"), processed("U1", "flow", 2000));
    expect([detail(), listed()]).toEqual(["online flow@2000,temp@2000", "flow@2000,temp@2000"]);
    source.publication(SUBJECTS.unitState("U1"), unitState("U1", "maintenance"));
    expect([detail(), listed()]).toEqual(["maintenance flow@2000,temp@2000", "flow@2000,temp@2000"]);
  });

  it("answer undefined for a unit that never reported, and sensorsJson for a unit with no sensor readings", () => {
    const source = new PublicationFeed();
    const plant = new LivePlant(new FeedState(source));
    source.publication(SUBJECTS.unitState("U1"), unitState("U1", "online"));
    expect(plant.unitJson("NOPE")).toBeUndefined();
    expect(plant.sensorsJson("NOPE")).toBeUndefined();
    expect(plant.sensorsJson("U1")).toBeUndefined();
    expect(JSON.parse(plant.unitJson("U1") ?? "null")).toMatchObject({ unit: "U1", latest: [] });
  });
});
