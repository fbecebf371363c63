/** The promotion rule on its own: the figures compared and the reason given. */
import { describe, expect, it } from "vitest";
import { decidePromotion, PRIMARY_METRICS } from "../../../src/actors/trainer/index.js";

describe("the promotion decision", () => {
  it("promotes the first model when nothing is in Production", () => {
    expect(decidePromotion(PRIMARY_METRICS.anomaly, { roc_auc: 0.7 }, undefined, 0.05)).toEqual({ promote: true, reason: "first model: nothing in Production (roc_auc 0.7)" });
  });

  it("promotes a higher-is-better metric only from (1 + margin) × Production's", () => {
    const live = { version: 3, metrics: { weighted_f1: 0.8 } };
    expect(decidePromotion(PRIMARY_METRICS.multiclass, { weighted_f1: 0.841 }, live, 0.05).promote).toBe(true);
    const short = decidePromotion(PRIMARY_METRICS.multiclass, { weighted_f1: 0.839 }, live, 0.05);
    expect(short).toEqual({ promote: false, reason: "not promoted: weighted_f1 0.839 vs 0.8 for Production v3 on the same holdout (needs >= 0.84: 5% margin, higher is better)" });
  });

  it("promotes a lower-is-better metric only from (1 − margin) × Production's", () => {
    const live = { version: 1, metrics: { rmse: 40 } };
    expect(decidePromotion(PRIMARY_METRICS.regression, { rmse: 38 }, live, 0.05).promote).toBe(true);
    expect(decidePromotion(PRIMARY_METRICS.regression, { rmse: 38.1 }, live, 0.05).promote).toBe(false);
  });

  it("replaces a Production version that could not be scored, saying why", () => {
    const d = decidePromotion(PRIMARY_METRICS.regression, { rmse: 50 }, { version: 2, error: "unit_rul v2 needs features the data does not have: x" }, 0.05);
    expect(d).toEqual({ promote: true, reason: "Production v2 could not be scored on the holdout (unit_rul v2 needs features the data does not have: x); rmse 50" });
  });

  it("keeps Production when the new version has no figure to compare (an unlabelled holdout)", () => {
    expect(decidePromotion(PRIMARY_METRICS.anomaly, { roc_auc: Number.NaN }, { version: 1, metrics: { roc_auc: 0.9 } }, 0.05).promote).toBe(false);
  });
});
