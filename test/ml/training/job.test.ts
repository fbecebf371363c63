import { describe, expect, it } from "vitest";
import { datasetHash, holdoutSplit, runTrainingJob } from "../../../src/ml/index.js";
import { syntheticTable, tableDataset } from "../synthetic.js";

const table = syntheticTable(600);

describe("a training run", () => {
  it("fails with VIGIL_ML_EXPORT_MISMATCH when its export differs from the model by more than the tolerance allows", async () => {
    const { train, holdout } = holdoutSplit(tableDataset(table, table.regression), 0.25);
    // No tolerance at all: float32 arithmetic in onnxruntime cannot match float64 here to the last bit.
    const job = { algorithm: "linear_regression", task: "regression", data: train, holdout, seed: 1, tolerance: { abs: 0, rel: 0 } } as const;
    await expect(runTrainingJob(job)).rejects.toMatchObject({ code: "VIGIL_ML_EXPORT_MISMATCH" });
    await expect(runTrainingJob({ ...job, tolerance: undefined })).resolves.toMatchObject({ exportCheck: { rows: holdout.rows } });
  });

  it("hashes its training data so that the same rows give the same hash and any changed value another", () => {
    const data = tableDataset(table, table.binary);
    const changed = { ...data, x: data.x.map((v, i) => (i === 17 ? v + 1e-9 : v)) };
    expect(datasetHash(data)).toBe(datasetHash(tableDataset(syntheticTable(600), syntheticTable(600).binary)));
    expect(datasetHash(changed)).not.toBe(datasetHash(data));
    expect(datasetHash({ ...data, y: table.multiclass })).not.toBe(datasetHash(data));
  });
});

describe("a time-ordered holdout", () => {
  it("is the last rows, after every training row", () => {
    const data = tableDataset(table, table.regression);
    const { train, holdout } = holdoutSplit(data, 0.2);
    expect([train.rows, holdout.rows]).toEqual([480, 120]);
    expect(holdout.x[0]).toBe(data.x[480 * data.features.length]);
    expect(holdout.y?.[0]).toBe(table.regression[480]);
  });
});
