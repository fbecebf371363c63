/**
 * The `trainer/<kind>` actor kind: one actor per model kind (anomaly,
 * unit_state, unit_rul, solar_forecast), hosted on the node's main thread
 * (ActorSystem.hostHere) since its Trainer holds that thread's history
 * store, registry and training pool. Never passivated: its schedule is its
 * own timer. Restarted on failure like any actor, from its last snapshot.
 */
import { defineActorKind, DEFAULT_SUPERVISION, VigilError, type ActorAddress, type ActorKind } from "../../runtime/index.js";
import { TrainerActor, type TrainerActorOptions, type TrainerActorState, type TrainerMessage } from "./actor.js";
import { TRAINER_KINDS, type TrainerKind } from "./recipes.js";
import type { Trainer } from "./trainer.js";

export const TRAINER_KIND = "trainer";

export function trainerAddress(kind: TrainerKind): ActorAddress {
  return `${TRAINER_KIND}/${kind}`;
}

export interface TrainerKindOptions extends TrainerActorOptions {
  /** A new Trainer of `kind` for each incarnation of its actor; undefined when this node does not train that kind. */
  readonly trainerOf: (kind: TrainerKind) => Trainer | undefined;
}

export function trainerKind(o: TrainerKindOptions): ActorKind<TrainerMessage, TrainerActorState> {
  return defineActorKind<TrainerMessage, TrainerActorState>({
    name: TRAINER_KIND,
    partitionKey: (id) => id,
    passivation: { idleMs: 0 },
    supervision: DEFAULT_SUPERVISION,
    create(id) {
      const trainer = (TRAINER_KINDS as readonly string[]).includes(id) ? o.trainerOf(id as TrainerKind) : undefined;
      if (trainer === undefined) throw new VigilError("VIGIL_TRAINING_UNAVAILABLE", `no "${id}" trainer on this node`);
      return new TrainerActor(trainer, o);
    },
  });
}
