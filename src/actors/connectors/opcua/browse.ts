/**
 * Browsing and reading a server's address space on an open session, for the
 * control API: "what is on this PLC?" and "what does this node read now?".
 * Results are plain data (strings and numbers), free of node-opcua types.
 */
import { AttributeIds, BrowseDirection, NodeClass, resolveNodeId, StatusCodes, type ClientSession, type NodeId, type StatusCode } from "node-opcua";
import { VigilError } from "../../../runtime/index.js";
import type { ReadingQuality } from "../../readings/index.js";
import { numberOf, qualityOf } from "./data-change.js";

export interface BrowsedNode {
  /** e.g. `ns=1;s=UNIT001.temperature` */
  readonly nodeId: string;
  /** The browse name without its namespace, e.g. `temperature`. */
  readonly browseName: string;
  readonly displayName: string;
  /** e.g. `Object`, `Variable`, `Method`. */
  readonly nodeClass: string;
}

export interface NodeValue {
  readonly nodeId: string;
  /** A number for numeric nodes; strings, booleans and others as the server sent them. */
  readonly value: unknown;
  readonly quality: ReadingQuality;
  /** The OPC UA status name, e.g. `Good`, `UncertainInitialValue`. */
  readonly status: string;
  /** Epoch ms, when the server gave one. */
  readonly sourceTimestamp: number | undefined;
}

/** The root of what a server exposes: Objects (i=85). */
export const OBJECTS_FOLDER = "i=85";

const HIERARCHICAL_REFERENCES = "i=33";

/** Children of `nodeId` along hierarchical references (folders, components, properties). */
export async function browseChildren(session: ClientSession, nodeId: string): Promise<BrowsedNode[]> {
  const id = parseNodeId(nodeId);
  let result = await session.browse({
    nodeId: id,
    browseDirection: BrowseDirection.Forward,
    referenceTypeId: HIERARCHICAL_REFERENCES,
    includeSubtypes: true,
    nodeClassMask: 0, // every class
    resultMask: 0x3f, // every field of the reference description
  });
  throwIfBadNode(result.statusCode, nodeId);
  const children: BrowsedNode[] = [];
  for (;;) {
    for (const ref of result.references ?? []) {
      children.push({
        nodeId: ref.nodeId.toString(),
        browseName: ref.browseName.name ?? "",
        displayName: ref.displayName.text ?? "",
        nodeClass: NodeClass[ref.nodeClass] ?? String(ref.nodeClass),
      });
    }
    // A server may return a large folder in parts.
    if (result.continuationPoint === null || result.continuationPoint === undefined || result.continuationPoint.length === 0) break;
    result = await session.browseNext(result.continuationPoint, false);
    throwIfBadNode(result.statusCode, nodeId);
  }
  return children;
}

export async function readNodeValue(session: ClientSession, nodeId: string): Promise<NodeValue> {
  const dataValue = await session.read({ nodeId: parseNodeId(nodeId), attributeId: AttributeIds.Value });
  throwIfBadNode(dataValue.statusCode, nodeId);
  return {
    nodeId,
    value: numberOf(dataValue.value),
    quality: qualityOf(dataValue.statusCode),
    status: dataValue.statusCode.name,
    sourceTimestamp: dataValue.sourceTimestamp?.getTime(),
  };
}

export function parseNodeId(nodeId: string): NodeId {
  try {
    return resolveNodeId(nodeId);
  } catch (err) {
    throw new VigilError("VIGIL_OPCUA_BAD_NODE", `"${nodeId}" is not an OPC UA node id (e.g. ns=1;s=UNIT001.temperature)`, { cause: err });
  }
}

/** Statuses that mean "no such node", as opposed to a node whose current value is Bad. */
const NO_SUCH_NODE: ReadonlySet<number> = new Set([
  StatusCodes.BadNodeIdUnknown.value,
  StatusCodes.BadNodeIdInvalid.value,
  StatusCodes.BadAttributeIdInvalid.value,
]);

function throwIfBadNode(status: StatusCode, nodeId: string): void {
  if (NO_SUCH_NODE.has(status.value)) {
    throw new VigilError("VIGIL_OPCUA_BAD_NODE", `${nodeId}: ${status.name}`);
  }
}
