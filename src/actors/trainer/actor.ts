/**
 * The trainer actor (`trainer/<kind>`): one per model kind the node
 * trains, hosted on the node's main thread (ActorSystem.hostHere) beside
 * the history store, the registry and the training pool its Trainer works
 * with. It answers train-now (a run now, or the one under way), status and
 * drift-check; its schedule is its own timer (croner gives the next time)
 * delivering a tick to itself.
 *
 * A run never holds the mailbox: it goes on in the training pool and its
 * outcome comes back as a run-finished message, so status is answered
 * while it trains. Its snapshot is its record (last result, last error,
 * drift findings) and the run under way: restarted by its supervisor after
 * a failure, it comes back with that record, and reports a run that was
 * under way as failed (VIGIL_TRAINING_INTERRUPTED) unless the run's outcome
 * still arrives.
 */
import { Cron } from "croner";
import type { Actor, ActorContext, TimerHandle } from "../../runtime/index.js";
import { isVigilError } from "../../runtime/index.js";
import type { TrainerKind } from "./recipes.js";
import type { DriftFinding, Trainer, TrainerRecord, TrainingRunResult, TrainingStatus } from "./trainer.js";

/** Starts a run now (under `jobId` when given) or answers with the one under way. */
export interface TrainNow {
  readonly type: "train-now";
  readonly trigger: string;
  readonly jobId?: string;
}

/** The drift check now; answered with the findings, or with why it could not run. */
export interface DriftCheck {
  readonly type: "drift-check";
}

/** No run starts from here on (schedule off); answered once the run under way has finished. */
export interface WindDown {
  readonly type: "wind-down";
}

/** A run's outcome, told by the actor to itself when the run's promise settles. */
export interface RunFinished {
  readonly type: "run-finished";
  readonly jobId: string;
  readonly at: number;
  readonly result?: TrainingRunResult;
  readonly error?: { readonly code: string | null; readonly message: string };
}

export type TrainerMessage = TrainNow | DriftCheck | WindDown | RunFinished | { readonly type: "status" } | { readonly type: "tick" };

export type DriftCheckReply = { readonly ok: true; readonly findings: DriftFinding[] } | { readonly ok: false; readonly code: string | null; readonly message: string };

export interface TrainerActorState {
  readonly v: 1;
  readonly record: TrainerRecord;
  /** The run under way when the snapshot was taken. */
  readonly running: string | null;
  /** A run asked for by id while another was under way: it starts when that one finishes. */
  readonly queued: { readonly jobId: string; readonly trigger: string } | null;
}

export interface TrainerActorOptions {
  /** Cron expression (UTC) of scheduled runs; undefined: on demand only. */
  readonly schedule?: string;
  /** Every change of the actor's status, on its own thread (the node's TrainerRef keeps it for the API). */
  readonly report: (status: TrainingStatus) => void;
  /** A run finished, whatever its outcome (the node counts them). */
  readonly onRun?: (kind: TrainerKind, outcome: RunFinished) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** setTimeout's limit is about 24.8 days; a later run is reached by ticks at most a day apart. */
const MAX_TICK_MS = 24 * 60 * 60 * 1000; // 1 day

export class TrainerActor implements Actor<TrainerMessage, TrainerActorState> {
  private queued: TrainerActorState["queued"] = null;
  /** The run whose outcome this instance waits for. */
  private watched: string | null = null;
  private cron: Cron | undefined;
  private nextRun: number | null = null;
  private tick: TimerHandle | undefined;
  private windingDown = false;

  constructor(
    private readonly trainer: Trainer,
    private readonly o: TrainerActorOptions,
  ) {}

  onActivate(ctx: ActorContext): void {
    this.arm(ctx);
    // Restored with a run that was waiting for the one before: nothing else will start it.
    const next = this.queued;
    this.queued = null;
    if (next !== null) this.trainNow(ctx, next.trigger, next.jobId);
    this.o.report(this.status());
  }

  receive(m: TrainerMessage, ctx: ActorContext): unknown {
    const reply = this.handle(m, ctx);
    this.o.report(this.status());
    return reply;
  }

  private handle(m: TrainerMessage, ctx: ActorContext): unknown {
    switch (m.type) {
      case "train-now":
        return { jobId: this.trainNow(ctx, m.trigger, m.jobId), kind: this.trainer.kind };
      case "status":
        return this.status();
      case "drift-check":
        return this.checkDrift(ctx);
      case "run-finished":
        this.finished(ctx, m);
        return undefined;
      case "tick":
        this.onTick(ctx);
        return undefined;
      case "wind-down":
        this.windingDown = true;
        this.queued = null;
        this.tick?.cancel();
        this.nextRun = null;
        return this.trainer.current()?.done.then(
          () => undefined,
          () => undefined,
        );
    }
  }

  status(): TrainingStatus {
    return { ...this.trainer.status(), nextRun: this.nextRun };
  }

  private trainNow(ctx: ActorContext, trigger: string, jobId: string | undefined): string | null {
    const current = this.trainer.current();
    if (current !== undefined) {
      // Asked for by id (the id already given to a caller) while another run started: that one runs next.
      if (jobId !== undefined && jobId !== current.jobId && !this.windingDown) this.queued ??= { jobId, trigger };
      return jobId ?? current.jobId;
    }
    if (this.windingDown) return null;
    const handle = this.trainer.trainNow(trigger, jobId);
    this.watch(ctx);
    return handle.jobId;
  }

  /** Has the run under way (a new one, or one the drift check started) tell its outcome to this actor. */
  private watch(ctx: ActorContext): void {
    const run = this.trainer.current();
    if (run === undefined || this.watched === run.jobId) return;
    this.watched = run.jobId;
    const { jobId } = run;
    run.done.then(
      (result) => ctx.tell(ctx.self, { type: "run-finished", jobId, at: ctx.now(), result } satisfies RunFinished),
      (err: unknown) => ctx.tell(ctx.self, { type: "run-finished", jobId, at: ctx.now(), error: errorOf(err) } satisfies RunFinished),
    );
  }

  private finished(ctx: ActorContext, m: RunFinished): void {
    if (this.watched === m.jobId) this.watched = null;
    // Started by an earlier incarnation: this Trainer has not seen its outcome.
    else this.trainer.settle(m.jobId, m.result !== undefined ? { result: m.result } : { error: m.error ?? { code: null, message: "the run failed" }, at: m.at });
    this.o.onRun?.(this.trainer.kind, m);
    const next = this.queued;
    this.queued = null;
    if (next !== null) this.trainNow(ctx, next.trigger, next.jobId);
  }

  private async checkDrift(ctx: ActorContext): Promise<DriftCheckReply> {
    let reply: DriftCheckReply;
    try {
      reply = { ok: true, findings: await this.trainer.checkDrift() };
    } catch (err) {
      // The check's failure is its asker's answer; the trainer itself is fine and keeps its run.
      reply = { ok: false, ...errorOf(err) };
    }
    this.watch(ctx); // a drifted model started a retraining
    this.o.report(this.status());
    return reply;
  }

  // ---- schedule -----------------------------------------------------------

  private arm(ctx: ActorContext): void {
    const schedule = this.o.schedule;
    if (schedule === undefined || this.windingDown) return;
    this.cron ??= new Cron(schedule, { timezone: "UTC", paused: true });
    const now = ctx.now();
    // From the run just due, if the timer fired a little early: never the same run twice.
    const next = this.cron.nextRun(new Date(Math.max(now, this.nextRun ?? now)));
    this.nextRun = next === null ? null : next.getTime();
    this.tick?.cancel();
    if (this.nextRun !== null) this.tick = ctx.schedule(Math.min(Math.max(0, this.nextRun - now), MAX_TICK_MS), { type: "tick" });
  }

  private onTick(ctx: ActorContext): void {
    if (this.nextRun !== null && ctx.now() >= this.nextRun - 1_000) this.trainNow(ctx, "schedule", undefined);
    this.arm(ctx);
  }

  // ---- snapshot -----------------------------------------------------------

  snapshot(): TrainerActorState {
    return { v: 1, record: this.trainer.record(), running: this.trainer.current()?.jobId ?? null, queued: this.queued };
  }

  restore(state: TrainerActorState): void {
    if (state.v !== 1) return;
    this.trainer.restore(state.record);
    this.queued = state.queued;
    if (state.running !== null) {
      this.trainer.settle(state.running, {
        error: { code: "VIGIL_TRAINING_INTERRUPTED", message: "the trainer failed and was restarted before this run's outcome was recorded; its models, if any, are in the registry" },
        at: (this.o.now ?? Date.now)(),
      });
    }
  }
}

function errorOf(err: unknown): { code: string | null; message: string } {
  return { code: isVigilError(err) ? err.code : null, message: err instanceof Error ? err.message : String(err) };
}
