import { describe, expect, it } from "vitest";
import { exportOnnx, train, type Algorithm, type Task } from "../../src/ml/index.js";
import { syntheticTable, tableDataset } from "./synthetic.js";

const table = syntheticTable(800);

const RANDOMISED: [Algorithm, Task, Float64Array | undefined, Record<string, number>][] = [
  ["isolation_forest", "anomaly", undefined, { trees: 20 }],
  ["random_forest", "multiclass", table.multiclass, { trees: 10 }],
  ["gradient_boosting", "binary", table.binary, { rounds: 10, subsample: 0.5, featureFraction: 0.5 }],
  ["logistic_regression", "binary", table.binary, { epochs: 3 }],
];

describe("training", () => {
  for (const [algorithm, task, y, params] of RANDOMISED) {
    it(`${algorithm} gives byte-identical ONNX for the same seed and a different model for another`, () => {
      const data = tableDataset(table, y);
      const once = exportOnnx(train({ algorithm, task, data, params, seed: 11 }));
      const again = exportOnnx(train({ algorithm, task, data, params, seed: 11 }));
      const other = exportOnnx(train({ algorithm, task, data, params, seed: 12 }));
      expect(Buffer.from(again).equals(Buffer.from(once))).toBe(true);
      expect(Buffer.from(other).equals(Buffer.from(once))).toBe(false);
    });
  }

  it("refuses parameters the algorithm does not know, with VIGIL_ML_PARAMS_INVALID", () => {
    expect(() => train({ algorithm: "random_forest", task: "binary", data: tableDataset(table, table.binary), params: { rounds: 5 }, seed: 1 })).toThrow(
      expect.objectContaining({ code: "VIGIL_ML_PARAMS_INVALID" }),
    );
  });

  it("refuses a task the algorithm cannot learn", () => {
    expect(() => train({ algorithm: "linear_regression", task: "binary", data: tableDataset(table, table.binary), seed: 1 })).toThrow(
      expect.objectContaining({ code: "VIGIL_ML_PARAMS_INVALID" }),
    );
  });

  it("refuses a matrix whose size does not match its rows and features, with VIGIL_ML_DATASET_INVALID", () => {
    const data = { ...tableDataset(table, table.regression), rows: table.rows + 1 };
    expect(() => train({ algorithm: "linear_regression", task: "regression", data, seed: 1 })).toThrow(expect.objectContaining({ code: "VIGIL_ML_DATASET_INVALID" }));
  });
});
