/**
 * A trained model as an ONNX graph. Input `features`: float32 [N, d], in the
 * model's feature order. Outputs by task:
 *   anomaly     `score`         float32 [N, 1]  (isolation-forest score)
 *   regression  `prediction`    float32 [N, 1]
 *   classifiers `probabilities` float32 [N, classes] and `label` int64 [N]
 *
 * Linear models standardise (Sub, Mul) and then MatMul + Add.
 * Tree models use ai.onnx.ml TreeEnsembleRegressor with one target per raw
 * output, followed by standard ops for the link function: Softmax,
 * Sigmoid, or Mul + Pow for the isolation score 2^(−E[h]/c). Classifiers
 * use the regressor too rather than TreeEnsembleClassifier, whose two-class
 * special cases would make a forest's and a boosted model's probabilities
 * come out of different code paths; ArgMax gives the label.
 */
import { VigilError } from "../../runtime/index.js";
import { outputName, type LinearModel, type Model, type TreeEnsembleModel } from "../model.js";
import { encodeModel, FLOAT, floats, INT64, ML_DOMAIN, node, valueInfo, type NodeProto, type TensorProto } from "./proto.js";

export const ONNX_INPUT = "features";

/** Serialises a model to ONNX bytes; its kind, task and features travel in metadata_props. */
export function exportOnnx(model: Model): Uint8Array {
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const raw = model.kind === "trees" ? treeEnsemble(model, nodes) : linear(model, nodes, initializers);
  const main = outputName(model);
  const outputs = [valueInfo(main, FLOAT, ["N", model.task === "binary" || model.task === "multiclass" ? model.classes : 1])];
  switch (model.transform) {
    case "none":
      nodes.push(node("Identity", [raw], [main]));
      break;
    case "isolation": {
      // score = 2^(−E[h] / c) = Pow(2, E[h] · (−1/c))
      initializers.push(floats("neg_inv_c", [], [-1 / model.pathNorm]), floats("two", [], [2]));
      nodes.push(node("Mul", [raw, "neg_inv_c"], ["exponent"]), node("Pow", ["two", "exponent"], [main]));
      break;
    }
    case "sigmoid":
      // [1 − p, p] from the logit of class 1.
      initializers.push(floats("one", [], [1]));
      nodes.push(node("Sigmoid", [raw], ["p1"]), node("Sub", ["one", "p1"], ["p0"]), node("Concat", ["p0", "p1"], [main], { axis: { int: 1 } }));
      break;
    case "softmax":
      nodes.push(node("Softmax", [raw], [main], { axis: { int: 1 } }));
      break;
  }
  if (model.task === "binary" || model.task === "multiclass") {
    nodes.push(node("ArgMax", [main], ["label"], { axis: { int: 1 }, keepdims: { int: 0 } }));
    outputs.push(valueInfo("label", INT64, ["N"]));
  }
  try {
    return encodeModel({
      name: `vigil_${model.algorithm}_${model.task}`,
      nodes,
      initializers,
      inputs: [valueInfo(ONNX_INPUT, FLOAT, ["N", model.features.length])],
      outputs,
      metadata: { "vigil.algorithm": model.algorithm, "vigil.task": model.task, "vigil.classes": String(model.classes), "vigil.features": JSON.stringify(model.features) },
    });
  } catch (err) {
    throw new VigilError("VIGIL_ML_EXPORT_FAILED", `ONNX encoding of the ${model.algorithm} model failed`, { cause: err });
  }
}

/** TreeEnsembleRegressor over every tree; returns the name of its output (the raw scores). */
function treeEnsemble(model: TreeEnsembleModel, nodes: NodeProto[]): string {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetIds: number[] = [];
  const targetWeights: number[] = [];
  model.trees.forEach((tree, t) => {
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n] as number;
      treeIds.push(t);
      nodeIds.push(n);
      if (f >= 0) {
        featureIds.push(f);
        values.push(tree.threshold[n] as number);
        modes.push("BRANCH_LEQ");
        trueIds.push(tree.left[n] as number);
        falseIds.push(tree.right[n] as number);
      } else {
        featureIds.push(0);
        values.push(0);
        modes.push("LEAF");
        trueIds.push(0);
        falseIds.push(0);
        for (let j = 0; j < tree.width; j++) {
          targetTree.push(t);
          targetNode.push(n);
          targetIds.push(tree.target + j);
          targetWeights.push(tree.value[n * tree.width + j] as number);
        }
      }
    }
  });
  nodes.push(
    node(
      "TreeEnsembleRegressor",
      [ONNX_INPUT],
      ["raw"],
      {
        n_targets: { int: model.targets },
        aggregate_function: model.aggregate === "average" ? "AVERAGE" : "SUM",
        post_transform: "NONE",
        base_values: Array.from(model.base),
        nodes_treeids: { ints: treeIds },
        nodes_nodeids: { ints: nodeIds },
        nodes_featureids: { ints: featureIds },
        nodes_values: values,
        nodes_modes: modes,
        nodes_truenodeids: { ints: trueIds },
        nodes_falsenodeids: { ints: falseIds },
        target_treeids: { ints: targetTree },
        target_nodeids: { ints: targetNode },
        target_ids: { ints: targetIds },
        target_weights: targetWeights,
      },
      ML_DOMAIN,
    ),
  );
  return "raw";
}

/** Sub + Mul (standardise), MatMul + Add, with the numbers as initialisers. */
function linear(model: LinearModel, nodes: NodeProto[], initializers: TensorProto[]): string {
  const d = model.features.length;
  initializers.push(
    floats("center", [d], model.center),
    floats("scale", [d], model.scale),
    floats("weights", [d, model.targets], model.weights),
    floats("bias", [model.targets], model.bias),
  );
  nodes.push(
    node("Sub", [ONNX_INPUT, "center"], ["centered"]),
    node("Mul", ["centered", "scale"], ["standardized"]),
    node("MatMul", ["standardized", "weights"], ["product"]),
    node("Add", ["product", "bias"], ["raw"]),
  );
  return "raw";
}
