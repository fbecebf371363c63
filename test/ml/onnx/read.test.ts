import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { exportOnnx, predict } from "../../../src/ml/index.js";
import { readOnnx } from "../../../src/ml/onnx/read.js";
import { DEFAULT_EXPORT_TOLERANCE } from "../../../src/ml/onnx/verify.js";
import { ALGORITHM_CASES, syntheticTable, trainedOn } from "../synthetic.js";

const BASELINES = fileURLToPath(new URL("../../../models", import.meta.url));
const table = syntheticTable(1_500);
const holdout = syntheticTable(200, 99);

function baselineBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${BASELINES}/${name}/v000001/model.onnx`));
}

const baselines = readdirSync(BASELINES).filter((n) => !n.endsWith(".md"));

describe("Reading ONNX bytes back into a model", () => {
  for (const [algorithm, task, params] of ALGORITHM_CASES) {
    it(`gives back a ${algorithm} ${task} model that exports to the same bytes and scores as the trained one`, () => {
      const model = trainedOn(table, algorithm, task, params);
      const bytes = exportOnnx(model);
      const read = readOnnx(bytes);
      expect(read).toBeDefined();
      expect(Buffer.from(exportOnnx(read!)).equals(Buffer.from(bytes))).toBe(true);
      const want = predict(model, holdout.x, holdout.rows);
      const got = predict(read!, holdout.x, holdout.rows);
      const { abs, rel } = DEFAULT_EXPORT_TOLERANCE;
      for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThanOrEqual(abs + rel * Math.abs(want[i] as number));
    });
  }

  for (const name of baselines) {
    it(`gives back the checked-in ${name} baseline as a model that exports to its very bytes`, () => {
      const bytes = baselineBytes(name);
      const read = readOnnx(bytes);
      expect(read).toBeDefined();
      expect(Buffer.from(exportOnnx(read!)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it("refuses a graph Vigil's exporter would not write, though onnxruntime could run it", () => {
    const proto = onnxProto.onnx.ModelProto.decode(baselineBytes("unit_rul"));
    const ensemble = proto.graph!.node![0]!;
    const post = ensemble.attribute!.find((a) => a.name === "post_transform")!;
    post.s = new TextEncoder().encode("LOGISTIC");
    expect(readOnnx(onnxProto.onnx.ModelProto.encode(proto).finish())).toBeUndefined();
  });

  it("refuses bytes that are not an ONNX model", () => {
    expect(readOnnx(Uint8Array.of(1, 2, 3, 4))).toBeUndefined();
  });
});
