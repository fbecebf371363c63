/**
 * A route area over a part the node may run without (the MQTT connector, the
 * OPC UA connector, the simulator): the routes stay registered, so the
 * OpenAPI document is the same on every node, and each call on a node
 * without the part answers 409 with the part's own code instead of a 404
 * that would read as a wrong URL.
 */
import { VigilError, type VigilErrorCode } from "../../runtime/index.js";

export type DisabledCode = Extract<VigilErrorCode, "VIGIL_CONNECTOR_DISABLED" | "VIGIL_SIMULATOR_DISABLED">;

/**
 * `part` when the node has it; otherwise throws VigilError(`code`, `why`).
 * @example const connector = enabledPart(mqtt, "VIGIL_CONNECTOR_DISABLED", "MQTT is off on this node");
 *          app.openapi(route, (c) => c.json(connector().status(), 200));
 */
export function enabledPart<T>(part: T | undefined, code: DisabledCode, why: string): () => T {
  return () => {
    if (part === undefined) throw new VigilError(code, why);
    return part;
  };
}
