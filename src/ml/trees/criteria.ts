/**
 * What a tree's splits optimise, as channel sums (see grow.ts):
 * variance for regression forests, Gini for classification forests, and the
 * second-order (Newton) gain of gradient boosting.
 */
import type { Criterion } from "./grow.js";

/** Channels [weight, y]: maximising Σ S²/n over the children minimises their squared error. */
export const VARIANCE: Criterion = {
  channels: 2,
  width: 1,
  score: (s, o) => ((s[o + 1] as number) * (s[o + 1] as number)) / (s[o] as number),
  leaf: (s, o, out) => {
    out[0] = (s[o + 1] as number) / (s[o] as number);
  },
};

/** Channels [weight, one-hot class × classes]: maximising Σ n_c²/n minimises the children's Gini impurity; leaves hold class shares. */
export function gini(classes: number): Criterion {
  return {
    channels: classes + 1,
    width: classes,
    score: (s, o) => {
      let sq = 0;
      for (let c = 1; c <= classes; c++) sq += (s[o + c] as number) * (s[o + c] as number);
      return sq / (s[o] as number);
    },
    leaf: (s, o, out) => {
      for (let c = 0; c < classes; c++) out[c] = (s[o + c + 1] as number) / (s[o] as number);
    },
  };
}

/** Channels [weight, gradient, hessian]: gain G²/(H + λ), leaf −η·G/(H + λ). */
export function newton(lambda: number, learningRate: number): Criterion {
  return {
    channels: 3,
    width: 1,
    score: (s, o) => ((s[o + 1] as number) * (s[o + 1] as number)) / ((s[o + 2] as number) + lambda),
    leaf: (s, o, out) => {
      out[0] = (-learningRate * (s[o + 1] as number)) / ((s[o + 2] as number) + lambda);
    },
  };
}
