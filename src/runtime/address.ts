/**
 * Actor addresses: `kind/id`, e.g. `sensor/UNIT001/temperature`. The kind is
 * everything before the first slash; the id may itself contain slashes.
 */
import { VigilError } from "./errors.js";

export type ActorAddress = string;

export interface ParsedAddress {
  readonly kind: string;
  readonly id: string;
}

const KIND_PATTERN = /^[a-z][a-z0-9_-]*$/i;

export function actorAddress(kind: string, id: string): ActorAddress {
  if (!KIND_PATTERN.test(kind)) {
    throw new VigilError("VIGIL_ADDRESS_INVALID", `actor kind "${kind}" must match ${String(KIND_PATTERN)}`);
  }
  if (id.length === 0) throw new VigilError("VIGIL_ADDRESS_INVALID", `actor id for kind "${kind}" is empty`);
  return `${kind}/${id}`;
}

export function parseAddress(address: ActorAddress): ParsedAddress {
  const slash = address.indexOf("/");
  if (slash <= 0 || slash === address.length - 1) {
    throw new VigilError("VIGIL_ADDRESS_INVALID", `"${address}" is not an actor address (expected kind/id)`);
  }
  return { kind: address.slice(0, slash), id: address.slice(slash + 1) };
}

/** The kind part of an address without allocating a ParsedAddress (hot path). */
export function kindOf(address: ActorAddress): string {
  const slash = address.indexOf("/");
  return slash <= 0 ? "" : address.slice(0, slash);
}
