/**
 * The promotion rule: a new version replaces the one in Production only when
 * it is better by the configured margin on the task's primary metric, both
 * measured on the same holdout (the Production version scored through
 * onnxruntime, as it scores live). With no version in Production the new one
 * is promoted; a Production version that cannot be scored on the new data
 * (its features are not there, its file is damaged) is replaced too, and the
 * reason says so. The reason always names the figures compared.
 */
import type { PrimaryMetric } from "./recipes.js";

export interface PromotionDecision {
  readonly promote: boolean;
  readonly reason: string;
}

export interface ProductionScore {
  readonly version: number;
  /** Its metrics on the candidate's holdout, or why it could not be scored. */
  readonly metrics?: Readonly<Record<string, number>>;
  readonly error?: string;
}

export function decidePromotion(primary: PrimaryMetric, candidate: Readonly<Record<string, number>>, production: ProductionScore | undefined, margin: number): PromotionDecision {
  const name = primary.name;
  const mine = candidate[name];
  if (production === undefined) return { promote: true, reason: `first model: nothing in Production (${name} ${fmt(mine)})` };
  const live = `Production v${production.version}`;
  if (production.metrics === undefined) return { promote: true, reason: `${live} could not be scored on the holdout (${production.error ?? "unknown error"}); ${name} ${fmt(mine)}` };
  const theirs = production.metrics[name];
  if (mine === undefined || !Number.isFinite(mine)) return { promote: false, reason: `not promoted: no ${name} for the new version (the holdout has no labels for it); ${live} stays` };
  if (theirs === undefined || !Number.isFinite(theirs)) return { promote: true, reason: `${live} has no ${name} on the holdout; new ${name} ${fmt(mine)}` };
  const needed = primary.higherIsBetter ? theirs * (1 + margin) : theirs * (1 - margin);
  const better = primary.higherIsBetter ? mine >= needed : mine <= needed;
  const comparison = `${name} ${fmt(mine)} vs ${fmt(theirs)} for ${live} on the same holdout (needs ${primary.higherIsBetter ? ">=" : "<="} ${fmt(needed)}: ${Math.round(margin * 100)}% margin, ${primary.higherIsBetter ? "higher" : "lower"} is better)`;
  return better ? { promote: true, reason: `promoted: ${comparison}` } : { promote: false, reason: `not promoted: ${comparison}` };
}

function fmt(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? "n/a" : String(Number(v.toPrecision(4)));
}
