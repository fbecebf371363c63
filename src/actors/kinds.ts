/**
 * The actor kinds every node hosts. Shard workers import this module on their
 * own threads (`kindModules`), so it must be importable on its own and export
 * `kinds`. Domain kinds are added here as they are built.
 */
import type { ActorKind } from "../runtime/index.js";

export const kinds: ActorKind[] = [];
