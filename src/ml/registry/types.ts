/**
 * The model registry's contract, shared by every backend (the filesystem
 * and JetStream): versions of named models with everything needed to trust
 * and reproduce them, their stages, and an append-only audit of every change.
 *
 * Stages: a version is registered in None and moves
 *   None → Staging | Archived,  Staging → Production | Archived,
 *   Production → Archived,      Archived → Staging;
 * at most one version of a model is in Production: promoting one archives
 * the one before. `rollback` puts an earlier version back in Production
 * whatever its stage.
 */
import type { Algorithm, Task } from "../model.js";

export const STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type Stage = (typeof STAGES)[number];

export const ALLOWED_TRANSITIONS: Readonly<Record<Stage, readonly Stage[]>> = {
  None: ["Staging", "Archived"],
  Staging: ["Production", "Archived"],
  Production: ["Archived"],
  Archived: ["Staging"],
};

/** Who made a change and why: every change carries both into the audit log. */
export interface ChangeBy {
  readonly who: string;
  readonly why: string;
}

export interface TrainingWindow {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
}

/**
 * The training rows' distribution, per feature in the version's `features`
 * order: the inner bin edges (deciles) and each bin's share. What the drift
 * check compares live rows with (src/ml/metrics/drift.ts), kept with the
 * version so it works wherever the version goes — a baseline seeded from
 * models/ included, whose training rows are in no node's history.
 */
export interface FeatureDistribution {
  readonly edges: readonly number[][];
  readonly shares: readonly number[][];
}

/** What a trainer hands in to register a version. */
export interface NewModelVersion {
  readonly model: string;
  readonly algorithm: Algorithm;
  readonly task: Task;
  readonly features: readonly string[];
  readonly params: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly trainingWindow: TrainingWindow;
  /** sha256 (hex) of the training data. */
  readonly dataHash: string;
  readonly seed: number;
  /** The training rows' distribution; absent from versions registered without one (the drift check then rebuilds it from history, if it can). */
  readonly distribution?: FeatureDistribution;
  readonly onnx: Uint8Array;
}

/** A registered version's manifest (everything but the ONNX bytes). */
export interface ModelVersion extends Omit<NewModelVersion, "onnx"> {
  /** 1, 2, 3, … per model. */
  readonly version: number;
  readonly stage: Stage;
  readonly createdAt: number;
  /** sha256 (hex) of the ONNX bytes, checked on every load. */
  readonly onnxSha256: string;
  readonly onnxSize: number;
}

export interface AuditEntry {
  readonly ts: number;
  readonly model: string;
  readonly version: number;
  readonly action: "register" | "transition" | "rollback";
  readonly from: Stage | null;
  readonly to: Stage;
  readonly who: string;
  readonly why: string;
}

export interface ModelRegistry {
  /** Checks the ONNX bytes (loadable, input width = features) and stores them as the next version, stage None. */
  register(version: NewModelVersion, by: ChangeBy): Promise<ModelVersion>;
  /**
   * Registers like `register` unless a version of the model already holds the
   * same content (ONNX bytes hash and data hash), which it then answers.
   * Instances sharing storage that do it at once register the content once:
   * `registered` is true for that one call only.
   */
  registerOnce(version: NewModelVersion, by: ChangeBy): Promise<{ version: ModelVersion; registered: boolean }>;
  /** Moves a version to another stage (see ALLOWED_TRANSITIONS); to Production archives the current one. */
  transition(model: string, version: number, to: Stage, by: ChangeBy): Promise<ModelVersion>;
  /** Puts an earlier version back in Production (checked loadable first), archiving the current one. */
  rollback(model: string, version: number, by: ChangeBy): Promise<ModelVersion>;
  /** Every version of a model, oldest first; every model's when `model` is left out. */
  list(model?: string): Promise<ModelVersion[]>;
  /** A version's manifest; VIGIL_MODEL_NOT_FOUND when there is none. */
  get(model: string, version: number): Promise<ModelVersion>;
  /** The version in Production, if any. */
  production(model: string): Promise<ModelVersion | undefined>;
  /**
   * A version's ONNX bytes, refused (VIGIL_MODEL_CORRUPT, VIGIL_MODEL_INCOMPATIBLE)
   * unless their hash matches the manifest, onnxruntime loads them and their
   * input is as wide as the feature list.
   */
  load(model: string, version: number): Promise<{ manifest: ModelVersion; onnx: Uint8Array }>;
  /** The audit log, oldest first (one model's, or all). */
  audit(model?: string): Promise<AuditEntry[]>;
  /**
   * Calls `listener` with every change (its audit entry) once it is durable:
   * what scorers hot-swap on. The filesystem backend sees its own process's
   * changes; the JetStream backend sees every node's.
   */
  watch(listener: (change: AuditEntry) => void): RegistryWatch;
}

export interface RegistryWatch {
  /**
   * Settles once the watch is listening: every change after it is reported
   * (read the registry after it to miss nothing in between). Rejects when the
   * backend cannot listen.
   */
  readonly ready: Promise<void>;
  stop(): void;
}
