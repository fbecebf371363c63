/**
 * The stage rules as pure functions: given the stage of every version of a
 * model, which moves a transition or a rollback makes (or why it is
 * refused). Backends only apply the plan, so the filesystem and JetStream
 * registries cannot disagree on the rules.
 */
import { VigilError } from "../../runtime/index.js";
import { ALLOWED_TRANSITIONS, type AuditEntry, type ChangeBy, type Stage } from "./types.js";

/** One stage move of a plan: an audit entry without its time. */
export type StageMove = Omit<AuditEntry, "ts">;

export function planTransition(model: string, stages: ReadonlyMap<number, Stage>, version: number, to: Stage, by: ChangeBy): StageMove[] {
  const from = stageOf(model, stages, version);
  if (!ALLOWED_TRANSITIONS[from].includes(to)) {
    throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model} v${version}: cannot move from ${from} to ${to} (allowed: ${ALLOWED_TRANSITIONS[from].join(", ")})`);
  }
  if (to === "Production") return promote(model, stages, version, "transition", by);
  return [{ model, version, action: "transition", from, to, ...by }];
}

export function planRollback(model: string, stages: ReadonlyMap<number, Stage>, version: number, by: ChangeBy): StageMove[] {
  stageOf(model, stages, version);
  const live = productionOf(stages);
  if (live === undefined) throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model}: nothing is in Production to roll back from`);
  if (version >= live) throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model}: rollback goes to a version before v${live} (in Production), not v${version}`);
  return promote(model, stages, version, "rollback", by);
}

/** The version in Production, if any. */
export function productionOf(stages: ReadonlyMap<number, Stage>): number | undefined {
  for (const [version, stage] of stages) if (stage === "Production") return version;
  return undefined;
}

/** The version in Production becomes Archived, `version` becomes Production. */
function promote(model: string, stages: ReadonlyMap<number, Stage>, version: number, action: "transition" | "rollback", by: ChangeBy): StageMove[] {
  const moves: StageMove[] = [];
  const live = productionOf(stages);
  if (live !== undefined && live !== version) {
    moves.push({ model, version: live, action, from: "Production", to: "Archived", who: by.who, why: `replaced by v${version}: ${by.why}` });
  }
  moves.push({ model, version, action, from: stageOf(model, stages, version), to: "Production", ...by });
  return moves;
}

function stageOf(model: string, stages: ReadonlyMap<number, Stage>, version: number): Stage {
  const stage = stages.get(version);
  if (stage === undefined) throw new VigilError("VIGIL_MODEL_NOT_FOUND", `no version ${version} of model "${model}"`);
  return stage;
}
