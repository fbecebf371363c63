import { describe, expect, it } from "vitest";
import { copyFeatures, recycleFeatures } from "../../../src/actors/sensor/feature-copies.js";

describe("the feature copies a sensor sends its unit", () => {
  it("are copies: the sensor's vector moving on does not change one sent", () => {
    const vector = Float64Array.of(1, 2, 3);
    const sent = copyFeatures(vector);
    vector[0] = 9;
    expect([...sent]).toEqual([1, 2, 3]);
  });

  it("reuse a copy handed back, filled with the new values", () => {
    const first = copyFeatures(Float64Array.of(1, 2, 3));
    recycleFeatures(first);
    const second = copyFeatures(Float64Array.of(4, 5, 6));
    expect(second).toBe(first);
    expect([...second]).toEqual([4, 5, 6]);
  });

  it("never hand back a copy of another width", () => {
    recycleFeatures(new Float64Array(2));
    const copy = copyFeatures(Float64Array.of(1, 2, 3, 4));
    expect([...copy]).toEqual([1, 2, 3, 4]);
  });
});
