/**
 * A model's holdout figures by task, as one flat record (what the registry
 * stores and the promotion rule compares): binary → accuracy, precision,
 * recall, f1, roc_auc; multi-class → accuracy and weighted_*; regression →
 * mae, rmse, mape; anomaly → roc_auc against 0/1 truth when the holdout has it.
 */
import type { Dataset } from "../dataset.js";
import { argmaxRows, predict, type Model, type Task } from "../model.js";
import { binaryMetrics, multiclassMetrics, rocAuc } from "./classification.js";
import { regressionMetrics } from "./regression.js";

export function evaluate(model: Model, holdout: Dataset): Record<string, number> {
  if (holdout.y === undefined) return {};
  return metricsOf(model.task, model.classes, holdout.y, predict(model, holdout.x, holdout.rows));
}

/**
 * The same figures from a model's outputs however they were computed (the
 * TypeScript model, or an ONNX session scoring a version from the registry):
 * `output` is rows × width values, width the classes of a classifier, else 1.
 */
export function metricsOf(task: Task, classes: number, truth: Float64Array, output: ArrayLike<number>): Record<string, number> {
  switch (task) {
    case "anomaly":
      return { roc_auc: rocAuc(truth, output) };
    case "regression": {
      const m = regressionMetrics(truth, output);
      return { mae: m.mae, rmse: m.rmse, mape: m.mape };
    }
    case "binary": {
      const p1 = new Float64Array(truth.length);
      for (let r = 0; r < truth.length; r++) p1[r] = output[2 * r + 1] as number;
      const m = binaryMetrics(truth, p1);
      return { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, roc_auc: m.rocAuc };
    }
    case "multiclass": {
      const m = multiclassMetrics(truth, argmaxRows(Float64Array.from(output), classes), classes);
      return { accuracy: m.accuracy, weighted_precision: m.weightedPrecision, weighted_recall: m.weightedRecall, weighted_f1: m.weightedF1 };
    }
  }
}
