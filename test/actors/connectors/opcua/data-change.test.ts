/**
 * How an OPC UA data value becomes a raw reading: numeric variants of every
 * width become numbers (then value * scale + offset), everything else is
 * passed on for validation to reject, status severity becomes quality, and
 * the source timestamp wins over the server's.
 */
import { DataType, DataValue, StatusCode, StatusCodes, Variant, VariantArrayType } from "node-opcua";
import { describe, expect, it } from "vitest";
import { numberOf, qualityOf, toRawReading } from "../../../../src/actors/connectors/opcua/data-change.js";
import { validateReading, type Rejection } from "../../../../src/actors/readings/index.js";

const mapping = { nodeId: "ns=1;s=X", unit: "UNIT001", sensor: "temperature", scale: 0.1, offset: -273.15 };

describe("OPC UA data values as readings", () => {
  it.each([
    ["Double", DataType.Double, 2981.5],
    ["Float", DataType.Float, 2981.5],
    ["Int32", DataType.Int32, -40],
    ["UInt16", DataType.UInt16, 65_535],
    ["Byte", DataType.Byte, 255],
    ["SByte", DataType.SByte, -128],
  ])("reads a %s variant as a number", (_name, dataType, value) => {
    expect(numberOf(new Variant({ dataType, value }))).toBe(value);
  });

  it("reads 64-bit integers from node-opcua's [high, low] halves, signed and unsigned", () => {
    const scalar = VariantArrayType.Scalar;
    expect(numberOf(new Variant({ dataType: DataType.Int64, arrayType: scalar, value: [0xffffffff, 0xfffffffe] }))).toBe(-2);
    expect(numberOf(new Variant({ dataType: DataType.UInt64, arrayType: scalar, value: [1, 5] }))).toBe(2 ** 32 + 5);
  });

  it("applies scale and offset: 2981.5 tenths of kelvin are 25 °C", () => {
    const raw = toRawReading(mapping, new DataValue({ value: new Variant({ dataType: DataType.Double, value: 2981.5 }) }));
    expect(raw.value).toBeCloseTo(25, 9);
  });

  it.each([
    ["a string", new Variant({ dataType: DataType.String, value: "online" })],
    ["a boolean", new Variant({ dataType: DataType.Boolean, value: true })],
    ["an array", new Variant({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] })],
    ["no value (a Bad value without data)", new Variant({ dataType: DataType.Null })],
    ["NaN", new Variant({ dataType: DataType.Double, value: Number.NaN })],
  ])("passes %s on for validation to reject as not_a_number", (_what, variant) => {
    const raw = toRawReading(mapping, new DataValue({ value: variant, statusCode: StatusCodes.Good }));
    expect((validateReading(raw, "opcua", Date.now()) as Rejection).reason).toBe("not_a_number");
  });

  it.each([
    [StatusCodes.Good, "GOOD"],
    [StatusCodes.GoodClamped, "GOOD"],
    [StatusCodes.Uncertain, "UNCERTAIN"],
    [StatusCodes.UncertainSensorNotAccurate, "UNCERTAIN"],
    [StatusCodes.Bad, "BAD"],
    [StatusCodes.BadSensorFailure, "BAD"],
  ] as [StatusCode, string][])("maps status %s to quality %s", (status, quality) => {
    expect(qualityOf(status)).toBe(quality);
  });

  it("takes the source timestamp, else the server timestamp, else none (the gateway uses its clock)", () => {
    const value = new Variant({ dataType: DataType.Double, value: 1 });
    const source = new Date("2026-01-02T03:04:05.678Z");
    const server = new Date("2026-01-02T03:04:06.000Z");
    expect(toRawReading(mapping, new DataValue({ value, sourceTimestamp: source, serverTimestamp: server })).timestamp).toBe(source.getTime());
    expect(toRawReading(mapping, new DataValue({ value, serverTimestamp: server })).timestamp).toBe(server.getTime());
    expect(toRawReading(mapping, new DataValue({ value })).timestamp).toBeUndefined();
  });
});
