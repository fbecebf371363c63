/**
 * Moving an actor's state between nodes: two runtime messages any stateful
 * actor understands without its kind knowing. Asked in the actor's mailbox
 * order, so the state handed over is exactly the effect of the messages sent
 * to it before — what a cluster partition's handoff needs to pair a snapshot
 * with the last input sequence applied.
 *
 * - `exportState()`: the reply is the actor's full snapshot (undefined for an
 *   actor without state).
 * - `importState(state)`: the actor is replaced by a fresh instance restored
 *   from `state` (its timers cancelled, onActivate run again); the state is
 *   also kept as its stored snapshot.
 */
export interface ExportState {
  readonly $vigil: "state-export";
}

export interface ImportState {
  readonly $vigil: "state-import";
  readonly state: unknown;
}

export type StateTransfer = ExportState | ImportState;

export function exportState(): ExportState {
  return { $vigil: "state-export" };
}

export function importState(state: unknown): ImportState {
  return { $vigil: "state-import", state };
}

export function isStateTransfer(message: unknown): message is StateTransfer {
  if (typeof message !== "object" || message === null) return false;
  const tag = (message as { $vigil?: unknown }).$vigil;
  return tag === "state-export" || tag === "state-import";
}
