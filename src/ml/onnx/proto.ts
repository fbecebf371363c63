/**
 * Small builders over onnx-proto's message classes: attributes, float
 * initialisers, tensor types and the model envelope, so the exporters read
 * as the graphs they build.
 */
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

const A = onnx.AttributeProto.AttributeType;
const text = new TextEncoder();

export const ML_DOMAIN = "ai.onnx.ml";
/** ai.onnx opset 17 and ai.onnx.ml opset 3 (TreeEnsemble* v3): both long supported by onnxruntime. */
const OPSETS = [
  { domain: "", version: 17 },
  { domain: ML_DOMAIN, version: 3 },
];
/** ONNX IR version 8 goes with opset 17. */
const IR_VERSION = 8;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

export type AttributeValue = number | string | readonly number[] | readonly string[] | { readonly ints: readonly number[] } | { readonly int: number };

/** An attribute: a number is a float, a string a string, arrays floats or strings; `{ int }` / `{ ints }` for integers. */
export function attribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === "number") return { name, type: A.FLOAT, f: value };
  if (typeof value === "string") return { name, type: A.STRING, s: text.encode(value) };
  if ("ints" in value) return { name, type: A.INTS, ints: [...value.ints] };
  if ("int" in value) return { name, type: A.INT, i: value.int };
  const list = value as readonly (number | string)[];
  if (list.length > 0 && typeof list[0] === "string") return { name, type: A.STRINGS, strings: (list as string[]).map((s) => text.encode(s)) };
  return { name, type: A.FLOATS, floats: [...(list as number[])] };
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ""): NodeProto {
  return {
    opType,
    domain,
    input: inputs,
    output: outputs,
    name: `${opType}_${outputs[0] ?? ""}`,
    attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
  };
}

/** A float32 constant. */
export function floats(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  return { name, dims, dataType: FLOAT, floatData: Array.from(values) };
}

/** A tensor's name, element type and shape; a string dimension is symbolic (the batch size). */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } },
  };
}

export interface GraphParts {
  readonly name: string;
  readonly nodes: NodeProto[];
  readonly initializers: TensorProto[];
  readonly inputs: ValueInfoProto[];
  readonly outputs: ValueInfoProto[];
  /** Stored in the model's metadata_props. */
  readonly metadata: Record<string, string>;
}

export function encodeModel(parts: GraphParts): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: OPSETS,
    producerName: "vigil",
    graph: { name: parts.name, node: parts.nodes, initializer: parts.initializers, input: parts.inputs, output: parts.outputs },
    metadataProps: Object.entries(parts.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

