/**
 * Classifier metrics on a holdout. Binary: accuracy, precision, recall and
 * F1 of the positive class (1) at a 0.5 threshold, and ROC-AUC from the
 * scores. Multi-class: accuracy and support-weighted precision, recall and
 * F1 (each class's figure weighted by how many rows truly have it).
 */

export interface BinaryMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly rocAuc: number;
}

export interface MulticlassMetrics {
  readonly accuracy: number;
  readonly weightedPrecision: number;
  readonly weightedRecall: number;
  readonly weightedF1: number;
}

/** @param truth 0/1 per row @param scores probability (or any score, higher = positive) per row */
export function binaryMetrics(truth: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < truth.length; i++) {
    const positive = (scores[i] as number) >= threshold;
    if (truth[i] === 1) {
      if (positive) tp++;
      else fn++;
    } else if (positive) fp++;
    else tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { accuracy: ratio(tp + tn, truth.length), precision, recall, f1: harmonic(precision, recall), rocAuc: rocAuc(truth, scores) };
}

/**
 * Area under the ROC curve: the chance a random positive scores above a
 * random negative (ties count half), from the ranks of the scores. NaN when
 * only one class is present.
 */
export function rocAuc(truth: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = truth.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1; // average rank of a tie group, 1-based
    for (let k = i; k <= j; k++) {
      if (truth[order[k] as number] === 1) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** @param truth class per row @param predicted class per row */
export function multiclassMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): MulticlassMetrics {
  const tp = new Float64Array(classes);
  const predictedCount = new Float64Array(classes);
  const support = new Float64Array(classes);
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = predicted[i] as number;
    support[t]! += 1;
    predictedCount[p]! += 1;
    if (t === p) {
      tp[t]! += 1;
      correct++;
    }
  }
  let precision = 0;
  let recall = 0;
  let f1 = 0;
  for (let c = 0; c < classes; c++) {
    const w = (support[c] as number) / truth.length;
    const pc = ratio(tp[c] as number, predictedCount[c] as number);
    const rc = ratio(tp[c] as number, support[c] as number);
    precision += w * pc;
    recall += w * rc;
    f1 += w * harmonic(pc, rc);
  }
  return { accuracy: ratio(correct, truth.length), weightedPrecision: precision, weightedRecall: recall, weightedF1: f1 };
}

/** 0 when nothing was counted, as scikit-learn's zero_division=0. */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function harmonic(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}
