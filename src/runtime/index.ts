/**
 * src/runtime — the actor system: the actor contract, mailboxes, supervision,
 * virtual-actor activation and passivation, shard worker threads, and the
 * message transport (in-process or NATS).
 *
 * Must not depend on anything outside src/runtime: it knows nothing of
 * sensors, units, sockets or storage. Domain code uses only what this file
 * exports; the shard, mailbox and worker internals stay private.
 */
export { defineActorKind, isChildFailed } from "./actor.js";
export type { Actor, ActorContext, ActorKind, AskOptions, ChildFailed, Coalescing, MessageCodec, PassivationPolicy } from "./actor.js";
export { actorAddress, parseAddress } from "./address.js";
export { BoundedMemo } from "./bounded-memo.js";
export type { ActorAddress, ParsedAddress } from "./address.js";
export { SimulatedClock, systemClock } from "./clock.js";
export type { Clock, TimerHandle } from "./clock.js";
export { DurableDir } from "./durable-dir.js";
export { VigilError, deserializeError, isVigilError, serializeError } from "./errors.js";
export type { SerializedError, VigilErrorCode } from "./errors.js";
export type { RuntimeEvent, RuntimeEventListener } from "./events.js";
export { fnv1a32, partitionOf } from "./hash.js";
export { keysForEveryShard } from "./placement.js";
export { SeededRandom } from "./random.js";
export type { KindStats } from "./kind-registry.js";
export type { MailboxPolicy, OverflowPolicy } from "./mailbox.js";
export { exportState, importState, isStateTransfer } from "./state-transfer.js";
export type { ExportState, ImportState, StateTransfer } from "./state-transfer.js";
export { DEFAULT_SUPERVISION } from "./supervision.js";
export type { BackoffPolicy, SupervisionPolicy } from "./supervision.js";
export { createActorSystem } from "./system.js";
export type { ActorSystem, ActorSystemOptions, SystemStats } from "./system.js";
