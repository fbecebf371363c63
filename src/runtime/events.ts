/**
 * Runtime events: what the system reports about its actors, as a
 * discriminated union. Workers forward theirs to the main thread.
 */
import type { ActorAddress } from "./address.js";
import type { SerializedError, VigilErrorCode } from "./errors.js";

export type RuntimeEvent =
  | { type: "actor-failed"; address: ActorAddress; error: SerializedError; decision: "restart" | "resume" | "stop" | "escalate" }
  | { type: "actor-escalated"; address: ActorAddress; parent: ActorAddress | undefined; error: SerializedError }
  | { type: "dead-letter"; address: ActorAddress; code: VigilErrorCode; reason: string }
  | { type: "worker-crashed"; worker: number; lostMessages: number; error: SerializedError }
  | { type: "worker-restarted"; worker: number; restoredActors: number };

export type RuntimeEventListener = (event: RuntimeEvent) => void;
