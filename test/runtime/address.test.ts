import { describe, expect, it } from "vitest";
import { actorAddress, isVigilError, parseAddress } from "../../src/runtime/index.js";
import { kindOf } from "../../src/runtime/address.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isVigilError(err) ? err.code : String(err);
  }
  return undefined;
}

describe("actor addresses", () => {
  it("split into kind and id at the first slash; the id keeps its own slashes", () => {
    expect(parseAddress("sensor/UNIT001/temperature")).toEqual({ kind: "sensor", id: "UNIT001/temperature" });
    expect(parseAddress("unit/UNIT001")).toEqual({ kind: "unit", id: "UNIT001" });
  });

  it("are rejected with VIGIL_ADDRESS_INVALID when the kind or the id is missing", () => {
    for (const bad of ["", "sensor", "/UNIT001", "sensor/"]) {
      expect(codeOf(() => parseAddress(bad)), bad).toBe("VIGIL_ADDRESS_INVALID");
    }
  });

  it("are built from a kind and an id, and parse back to them", () => {
    const address = actorAddress("sensor", "UNIT001/vibration");
    expect(address).toBe("sensor/UNIT001/vibration");
    expect(parseAddress(address)).toEqual({ kind: "sensor", id: "UNIT001/vibration" });
  });

  it("refuse a kind that is not an identifier, and an empty id", () => {
    expect(codeOf(() => actorAddress("sen sor", "U1"))).toBe("VIGIL_ADDRESS_INVALID");
    expect(codeOf(() => actorAddress("a/b", "U1"))).toBe("VIGIL_ADDRESS_INVALID");
    expect(codeOf(() => actorAddress("1sensor", "U1"))).toBe("VIGIL_ADDRESS_INVALID");
    expect(codeOf(() => actorAddress("sensor", ""))).toBe("VIGIL_ADDRESS_INVALID");
  });

  it("name their kind without parsing (an address without a kind has the empty kind)", () => {
    expect(kindOf("sensor/UNIT001/temperature")).toBe("sensor");
    expect(kindOf("nokind")).toBe("");
    expect(kindOf("/x")).toBe("");
  });
});
