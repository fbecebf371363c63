import { afterAll, describe, expect, it } from "vitest";
import { exportOnnx, runTrainingJob, train, TrainingPool } from "../../../src/ml/index.js";
import { syntheticTable, tableDataset } from "../synthetic.js";

const table = syntheticTable(1_000);
const holdout = syntheticTable(200, 42);
const pool = new TrainingPool({ threads: 1 });
afterAll(() => pool.close());

describe("training in the piscina pool", () => {
  it("returns the same model, checked ONNX bytes and metrics as training in this thread", async () => {
    const job = { algorithm: "gradient_boosting", task: "binary", data: tableDataset(table, table.binary), holdout: tableDataset(holdout, holdout.binary), params: { rounds: 10 }, seed: 5 } as const;
    const [inWorker, here] = await Promise.all([pool.run(job), runTrainingJob(job)]);
    expect(Buffer.from(inWorker.onnx).equals(Buffer.from(here.onnx))).toBe(true);
    expect(Buffer.from(inWorker.onnx).equals(Buffer.from(exportOnnx(train(job))))).toBe(true);
    expect(inWorker.metrics).toEqual(here.metrics);
    expect(inWorker.dataHash).toBe(here.dataHash);
    expect(inWorker.exportCheck.rows).toBe(holdout.rows);
  });

  it("fails the run with the worker's error code intact", async () => {
    const job = { algorithm: "random_forest", task: "binary", data: tableDataset(table, table.binary), holdout: tableDataset(holdout, holdout.binary), params: { trees: -1 }, seed: 5 } as const;
    await expect(pool.run(job)).rejects.toMatchObject({ name: "VigilError", code: "VIGIL_ML_PARAMS_INVALID" });
  });
});
