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
