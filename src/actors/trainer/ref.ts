/**
 * The main thread's reference to one trainer actor: what the node's model
 * service calls. The actor runs on this same thread and reports every
 * change of its status here, so `status` answers at once from the last
 * report; `trainNow` tells the actor and answers at once with the job id —
 * the run under way, or a new id the actor will run under; `checkDrift`
 * asks it.
 */
import type { ActorSystem } from "../../runtime/index.js";
import { VigilError, type VigilErrorCode } from "../../runtime/index.js";
import type { DriftCheckReply, TrainerMessage } from "./actor.js";
import { trainerAddress } from "./kind.js";
import type { TrainerKind } from "./recipes.js";
import { newJobId, type DriftFinding, type TrainingStatus } from "./trainer.js";

/** A drift check reads recent history and may rebuild training rows; a wind-down waits for a run under way. */
const LONG_ASK_MS = 10 * 60 * 1000; // 10 minutes

export class TrainerRef {
  readonly address: string;
  private latest: TrainingStatus;

  constructor(
    private readonly system: Pick<ActorSystem, "tell" | "ask">,
    readonly kind: TrainerKind,
  ) {
    this.address = trainerAddress(kind);
    this.latest = { kind, state: "idle", jobId: null, lastResult: null, lastError: null, nextRun: null, drift: [] };
  }

  /** Activates the actor (its schedule starts) and takes its first report. */
  async start(): Promise<void> {
    this.report(await this.ask<TrainingStatus>({ type: "status" }));
  }

  /** The actor's own report of its status (it runs on this thread). */
  report(status: TrainingStatus): void {
    this.latest = status;
  }

  status(): TrainingStatus {
    return this.latest;
  }

  /** A run now, or the one under way. VIGIL_MAILBOX_FULL when the actor refuses the message. */
  trainNow(trigger: string): { readonly jobId: string } {
    const s = this.latest;
    if (s.state === "running" && s.jobId !== null) return { jobId: s.jobId };
    const jobId = newJobId(this.kind, Date.now());
    if (!this.system.tell(this.address, { type: "train-now", trigger, jobId } satisfies TrainerMessage)) {
      throw new VigilError("VIGIL_MAILBOX_FULL", `${this.address} refused the request: its mailbox is full`);
    }
    // Until the actor's own report: a second caller joins this run.
    this.latest = { ...s, state: "running", jobId };
    return { jobId };
  }

  async checkDrift(): Promise<DriftFinding[]> {
    const reply = await this.ask<DriftCheckReply>({ type: "drift-check" }, LONG_ASK_MS);
    if (reply.ok) return reply.findings;
    throw new VigilError((reply.code ?? "VIGIL_STORE_QUERY_FAILED") as VigilErrorCode, reply.message);
  }

  /** No run starts from here on; resolves once the run under way has finished. */
  async windDown(): Promise<void> {
    await this.ask({ type: "wind-down" }, LONG_ASK_MS);
  }

  private ask<R>(message: TrainerMessage, timeoutMs?: number): Promise<R> {
    return this.system.ask<R>(this.address, message, timeoutMs === undefined ? undefined : { timeoutMs });
  }
}
