/**
 * The node's model service: what the HTTP API (and operators) ask of the
 * models — versions with their metrics, the audit, promote, roll back,
 * train now (a job id back at once), and each trainer's status. A facade
 * over the model registry and the trainer actors (through their
 * references, TrainerRef); it holds no state of its own.
 */
import type { DriftFinding, TrainerKind, TrainingStatus } from "../actors/trainer/index.js";
import type { AuditEntry, ChangeBy, ModelRegistry, ModelVersion } from "../ml/index.js";
import { VigilError } from "../runtime/index.js";

export interface TrainingJobRef {
  readonly jobId: string;
  readonly kind: TrainerKind;
}

/** What the service needs of a trainer: its actor's reference (TrainerRef), or a Trainer used on its own. */
export interface TrainerControl {
  trainNow(trigger: string): { readonly jobId: string };
  status(): TrainingStatus;
}

export class ModelService {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly trainers: ReadonlyMap<TrainerKind, TrainerControl>,
    private readonly driftCheck: () => Promise<DriftFinding[]> = () => Promise.resolve([]),
  ) {}

  /** Every version (of one model, or all), oldest first, with metrics, params, features, window and stage. */
  list(model?: string): Promise<ModelVersion[]> {
    return this.registry.list(model);
  }

  audit(model?: string): Promise<AuditEntry[]> {
    return this.registry.audit(model);
  }

  /**
   * Puts a version in Production (archiving the current one), through
   * Staging when it is not there yet. VIGIL_MODEL_NOT_FOUND,
   * VIGIL_MODEL_TRANSITION_INVALID (e.g. it is in Production already).
   */
  async promote(model: string, version: number, by: ChangeBy): Promise<ModelVersion> {
    const current = await this.registry.get(model, version);
    if (current.stage === "None" || current.stage === "Archived") await this.registry.transition(model, version, "Staging", by);
    return this.registry.transition(model, version, "Production", by);
  }

  /** Back to an earlier version (checked loadable first). */
  rollback(model: string, version: number, by: ChangeBy): Promise<ModelVersion> {
    return this.registry.rollback(model, version, by);
  }

  /** Starts a training run of `kind` now (or joins the one under way); VIGIL_TRAINING_UNAVAILABLE when this node does not run that trainer. */
  trainNow(kind: TrainerKind, trigger = "on demand"): TrainingJobRef {
    const { jobId } = this.trainer(kind).trainNow(trigger); // its outcome shows in the trainer's status
    return { jobId, kind };
  }

  /** Every trainer's status: idle or running, last result, last error, next run, last drift check. */
  status(): TrainingStatus[] {
    return [...this.trainers.values()].map((t) => t.status());
  }

  /**
   * Runs the drift check now (it also runs every training.drift.checkEveryMs):
   * a drifted model raises the system alarm and starts a retraining.
   */
  checkDrift(): Promise<DriftFinding[]> {
    return this.driftCheck();
  }

  statusOf(kind: TrainerKind): TrainingStatus {
    return this.trainer(kind).status();
  }

  private trainer(kind: TrainerKind): TrainerControl {
    const trainer = this.trainers.get(kind);
    if (trainer === undefined) {
      throw new VigilError("VIGIL_TRAINING_UNAVAILABLE", `no "${kind}" trainer on this node (training.enabled, training.kinds, and history must be on)`);
    }
    return trainer;
  }
}
