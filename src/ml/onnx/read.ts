/**
 * The inverse of export.ts: rebuilds the `Model` a Vigil export was written
 * from, so a thread can score with `predict` the very graph onnxruntime
 * runs. One definition of the model: the reader accepts bytes only when
 * exporting what it read gives back the same bytes, so anything it did not
 * understand exactly — another exporter's graph, an op or attribute export.ts
 * never writes, a hand-edited file — is refused (undefined) and left to
 * onnxruntime alone.
 *
 * What comes back is the model as the bytes hold it: float32 thresholds,
 * leaf values and weights (export writes float32), zeros where export
 * writes nothing (an inner node's value, a leaf's children).
 */
import { Buffer } from "node:buffer";
import onnxProto from "onnx-proto";
import { ALGORITHMS, TASKS, type Algorithm, type LinearModel, type Model, type Task, type Tree, type TreeEnsembleModel } from "../model.js";
import { exportOnnx } from "./export.js";

const { onnx } = onnxProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

/** Refusal inside the reader: caught by `readOnnx`, never seen by callers. */
function refuse(): never {
  throw new Error("not a graph Vigil's exporter writes");
}

/** The model Vigil exported as `bytes`; undefined when they are not exactly such an export. */
export function readOnnx(bytes: Uint8Array): Model | undefined {
  let model: Model;
  try {
    model = rebuild(onnx.ModelProto.decode(bytes));
  } catch {
    return undefined;
  }
  return sameBytes(exportOnnx(model), bytes) ? model : undefined;
}

function rebuild(proto: onnxProto.onnx.ModelProto): Model {
  const meta = new Map((proto.metadataProps ?? []).map((p) => [p.key ?? "", p.value ?? ""]));
  const algorithm = oneOf(ALGORITHMS, meta.get("vigil.algorithm"));
  const task = oneOf(TASKS, meta.get("vigil.task"));
  const classes = Number(meta.get("vigil.classes"));
  const features: unknown = JSON.parse(meta.get("vigil.features") ?? "null");
  if (!Number.isInteger(classes) || !Array.isArray(features) || !features.every((f) => typeof f === "string")) refuse();
  const graph = proto.graph ?? refuse();
  const nodes = graph.node ?? [];
  const base: Base = { algorithm, task, classes, features };
  const first = nodes[0]?.opType;
  return first === "TreeEnsembleRegressor" ? trees(base, graph, nodes) : linear(base, graph, nodes);
}

interface Base {
  readonly algorithm: Algorithm;
  readonly task: Task;
  readonly classes: number;
  readonly features: readonly string[];
}

function trees(base: Base, graph: GraphProto, nodes: readonly NodeProto[]): TreeEnsembleModel {
  const a = attributes(nodes[0] as NodeProto);
  const treeIds = a.ints("nodes_treeids");
  const nodeIds = a.ints("nodes_nodeids");
  const featureIds = a.ints("nodes_featureids");
  const values = a.floats("nodes_values");
  const modes = a.strings("nodes_modes");
  const trueIds = a.ints("nodes_truenodeids");
  const falseIds = a.ints("nodes_falsenodeids");
  const targetTree = a.ints("target_treeids");
  const targetNode = a.ints("target_nodeids");
  const targetIds = a.ints("target_ids");
  const targetWeights = a.floats("target_weights");
  // Export writes each tree's nodes in order (0..n−1) and each leaf's targets
  // right after one another; anything else is not its output.
  const sizes: number[] = [];
  for (let i = 0; i < treeIds.length; i++) {
    const t = treeIds[i] as number;
    if (t === sizes.length) sizes.push(0);
    if (t !== sizes.length - 1 || nodeIds[i] !== sizes[t]) refuse();
    sizes[t]!++;
  }
  const trees: Tree[] = [];
  let at = 0;
  let leafAt = 0;
  for (let t = 0; t < sizes.length; t++) {
    const n = sizes[t] as number;
    const feature = new Int32Array(n);
    const threshold = new Float32Array(n);
    const left = new Int32Array(n);
    const right = new Int32Array(n);
    const leaves: number[] = [];
    for (let i = 0; i < n; i++, at++) {
      if (modes[at] === "LEAF") {
        feature[i] = -1;
        leaves.push(i);
        continue;
      }
      feature[i] = featureIds[at] as number;
      threshold[i] = values[at] as number;
      left[i] = trueIds[at] as number;
      right[i] = falseIds[at] as number;
    }
    // A leaf's targets: `width` of them from `target` on, the same for every leaf of the tree.
    let width = 0;
    while (leafAt + width < targetTree.length && targetTree[leafAt + width] === t && targetNode[leafAt + width] === leaves[0]) width++;
    const target = targetIds[leafAt] ?? 0;
    const value = new Float64Array(n * width);
    for (const leaf of leaves) {
      for (let j = 0; j < width; j++, leafAt++) {
        if (targetTree[leafAt] !== t || targetNode[leafAt] !== leaf || targetIds[leafAt] !== target + j) refuse();
        value[leaf * width + j] = targetWeights[leafAt] as number;
      }
    }
    trees.push({ feature, threshold, left, right, value, width, target });
  }
  const { transform, pathNorm } = linkOf(graph, nodes[1]);
  return {
    ...base,
    kind: "trees",
    trees,
    targets: a.int("n_targets"),
    aggregate: a.string("aggregate_function") === "AVERAGE" ? "average" : "sum",
    base: Float64Array.from(a.floats("base_values")),
    transform,
    pathNorm,
  };
}

function linear(base: Base, graph: GraphProto, nodes: readonly NodeProto[]): LinearModel {
  const init = new Map((graph.initializer ?? []).map((t) => [t.name ?? "", Float64Array.from(t.floatData ?? [])]));
  const bias = init.get("bias") ?? refuse();
  const { transform } = linkOf(graph, nodes[4]);
  if (transform !== "none" && transform !== "softmax") refuse();
  return {
    ...base,
    kind: "linear",
    targets: bias.length,
    center: init.get("center") ?? refuse(),
    scale: init.get("scale") ?? refuse(),
    weights: init.get("weights") ?? refuse(),
    bias,
    transform,
  };
}

/** The link function from the first node after the raw output; the re-export checks the rest of the graph. */
function linkOf(graph: GraphProto, first: NodeProto | undefined): { transform: TreeEnsembleModel["transform"]; pathNorm: number } {
  switch (first?.opType) {
    case "Identity":
      return { transform: "none", pathNorm: 0 };
    case "Sigmoid":
      return { transform: "sigmoid", pathNorm: 0 };
    case "Softmax":
      return { transform: "softmax", pathNorm: 0 };
    case "Mul": {
      const negInvC = graph.initializer?.find((t) => t.name === "neg_inv_c")?.floatData?.[0];
      if (negInvC === undefined || !(negInvC < 0)) refuse();
      return { transform: "isolation", pathNorm: -1 / negInvC };
    }
    default:
      refuse();
  }
}

function attributes(node: NodeProto): { int(name: string): number; ints(name: string): number[]; floats(name: string): number[]; string(name: string): string; strings(name: string): string[] } {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
  const get = (name: string): AttributeProto => byName.get(name) ?? refuse();
  const text = new TextDecoder();
  return {
    int: (name) => Number(get(name).i ?? 0),
    ints: (name) => (get(name).ints ?? []).map(Number),
    floats: (name) => get(name).floats ?? [],
    string: (name) => text.decode(get(name).s ?? new Uint8Array()),
    strings: (name) => (get(name).strings ?? []).map((s) => text.decode(s)),
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T {
  if (!allowed.includes(value as T)) refuse();
  return value as T;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
