import { describe, expect, it } from "vitest";
import { exportOnnx, predict, verifyExport, type Algorithm, type Model, type Task, type TreeEnsembleModel } from "../../src/ml/index.js";
import { isVigilError } from "../../src/runtime/index.js";
import { ALGORITHM_CASES, syntheticTable, trainedOn } from "./synthetic.js";

const table = syntheticTable(1_500);
const holdout = syntheticTable(400, 99);

function trained(algorithm: Algorithm, task: Task, params: Record<string, number>): Model {
  return trainedOn(table, algorithm, task, params);
}

describe("ONNX export", () => {
  for (const [algorithm, task, params] of ALGORITHM_CASES) {
    it(`of a ${algorithm} ${task} model scores held-out rows in onnxruntime as the TypeScript model does`, async () => {
      const model = trained(algorithm, task, params);
      const check = await verifyExport(model, exportOnnx(model), holdout.x, holdout.rows);
      expect(check.rows).toBe(holdout.rows);
      // Float32 in the graph against float64 here: measured at most ~1e-7 on probabilities and ~1e-5 on regression values.
      expect(check.maxAbsError).toBeLessThan(1e-3);
    });
  }

  it("is refused with VIGIL_ML_EXPORT_MISMATCH when the bytes do not compute the model", async () => {
    const model = trained("random_forest", "regression", { trees: 5 }) as TreeEnsembleModel;
    const bytes = exportOnnx(model);
    const tree = model.trees[0]!;
    const leaf = tree.feature.findIndex((f) => f < 0);
    const altered: TreeEnsembleModel = { ...model, trees: [{ ...tree, value: tree.value.map((v, i) => (i === leaf ? v + 50 : v)) }, ...model.trees.slice(1)] };
    // The altered model really scores differently on these rows.
    expect(predict(altered, holdout.x, holdout.rows)).not.toEqual(predict(model, holdout.x, holdout.rows));
    const err = await verifyExport(altered, bytes, holdout.x, holdout.rows).catch((e: unknown) => e);
    expect(isVigilError(err, "VIGIL_ML_EXPORT_MISMATCH")).toBe(true);
  });

  it("is refused with VIGIL_ML_EXPORT_FAILED when onnxruntime cannot load the bytes", async () => {
    const model = trained("linear_regression", "regression", {});
    const err = await verifyExport(model, Uint8Array.of(1, 2, 3, 4), holdout.x, holdout.rows).catch((e: unknown) => e);
    expect(isVigilError(err, "VIGIL_ML_EXPORT_FAILED")).toBe(true);
  });
});
