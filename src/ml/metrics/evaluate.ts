/**
 * A model's holdout figures by task, as one flat record (what the registry
 * stores and the promotion rule compares): binary → accuracy, precision,
 * recall, f1, roc_auc; multi-class → accuracy and weighted_*; regression →
 * mae, rmse, mape; anomaly → roc_auc against 0/1 truth when the holdout has it.
 */
import type { Dataset } from "../dataset.js";
import { argmaxRows, predict, type Model } from "../model.js";
import { binaryMetrics, multiclassMetrics, rocAuc } from "./classification.js";
import { regressionMetrics } from "./regression.js";

export function evaluate(model: Model, holdout: Dataset): Record<string, number> {
  const out = predict(model, holdout.x, holdout.rows);
  const y = holdout.y;
  if (y === undefined) return {};
  switch (model.task) {
    case "anomaly":
      return { roc_auc: rocAuc(y, out) };
    case "regression": {
      const m = regressionMetrics(y, out);
      return { mae: m.mae, rmse: m.rmse, mape: m.mape };
    }
    case "binary": {
      const p1 = new Float64Array(holdout.rows);
      for (let r = 0; r < holdout.rows; r++) p1[r] = out[2 * r + 1] as number;
      const m = binaryMetrics(y, p1);
      return { accuracy: m.accuracy, precision: m.precision, recall: m.recall, f1: m.f1, roc_auc: m.rocAuc };
    }
    case "multiclass": {
      const m = multiclassMetrics(y, argmaxRows(out, model.classes), model.classes);
      return { accuracy: m.accuracy, weighted_precision: m.weightedPrecision, weighted_recall: m.weightedRecall, weighted_f1: m.weightedF1 };
    }
  }
}
