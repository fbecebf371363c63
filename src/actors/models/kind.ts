/**
 * The `modelbook/<key>` actor kind: one per shard worker (its key lands on
 * that worker, keysForEveryShard), the main thread's way to reach the
 * worker's WorkerModels — install a version (the reply comes once it is
 * swapped in, or the ask fails with why it was refused), remove a model,
 * read the worker's scoring counters.
 */
import type { ModelSpec, WorkerModels, WorkerModelStats } from "../../ml/index.js";
import { defineActorKind, VigilError, type ActorKind } from "../../runtime/index.js";

export interface InstallModel {
  readonly type: "install";
  readonly spec: ModelSpec;
}

export interface RemoveModel {
  readonly type: "remove";
  readonly name: string;
}

export interface ModelStatsQuery {
  readonly type: "stats";
}

/** Replies once every row handed to the worker's models so far has its result back: the rows still waiting then (added since). */
export interface DrainModels {
  readonly type: "drain";
}

export type ModelbookMessage = InstallModel | RemoveModel | ModelStatsQuery | DrainModels;
export type { WorkerModelStats };

export const MODELBOOK_KIND = "modelbook";

export function modelbookKind(models: WorkerModels): ActorKind<ModelbookMessage> {
  return defineActorKind<ModelbookMessage>({
    name: MODELBOOK_KIND,
    partitionKey: (id) => id,
    passivation: { idleMs: 0 },
    // A refused model is the caller's answer, not the actor's failure.
    supervision: { strategy: "resume" },
    create: () => ({
      receive(m, ctx) {
        models.useLog(ctx.log);
        if (typeof m !== "object" || m === null) return undefined;
        switch (m.type) {
          case "install":
            // Not awaited here: the worker keeps scoring while the session loads; the ask resolves once swapped.
            return models.install(m.spec).catch((err: unknown) => {
              throw new VigilError("VIGIL_MODEL_CORRUPT", `${m.spec.name} v${m.spec.version}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
            });
          case "remove":
            return models.remove(m.name);
          case "stats":
            return models.stats();
          case "drain":
            return models.idle().then(() => models.pending());
        }
      },
    }),
  });
}
