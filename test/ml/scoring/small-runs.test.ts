import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import onnxProto from "onnx-proto";
import { afterEach, describe, expect, it } from "vitest";
import { LoadedModel, SMALL_RUN_ROWS, type ModelSpec } from "../../../src/ml/scoring/loaded-model.js";
import type { ScoreSink } from "../../../src/ml/scoring/batcher.js";
import { DEFAULT_EXPORT_TOLERANCE } from "../../../src/ml/onnx/verify.js";
import { SeededRandom } from "../../../src/runtime/index.js";

const BASELINES = fileURLToPath(new URL("../../../models", import.meta.url));
const baselines = readdirSync(BASELINES).filter((n) => !n.endsWith(".md"));

function spec(name: string, onnx?: Uint8Array): ModelSpec {
  const dir = `${BASELINES}/${name}/v000001`;
  const manifest = JSON.parse(readFileSync(`${dir}/manifest.json`, "utf8")) as { task: ModelSpec["task"]; features: string[] };
  return { name, version: 1, task: manifest.task, features: manifest.features, threshold: 0.6, onnx: onnx ?? new Uint8Array(readFileSync(`${dir}/model.onnx`)) };
}

/** `count` rows of the model's width, spread over several scales so they reach many leaves. */
function rows(model: LoadedModel, count: number): Float64Array[] {
  const rng = new SeededRandom(11);
  return Array.from({ length: count }, () => Float64Array.from(model.features, (_, f) => rng.normal() * (1 + (f % 5)) * 3));
}

/** Scores `all` in batches of `size` rows (each batch flushed as the task that added it ends); one output array per row. */
async function scoreInBatches(model: LoadedModel, all: readonly Float64Array[], size: number): Promise<Float32Array[]> {
  const outputs: Float32Array[] = [];
  const sink: ScoreSink<LoadedModel> = {
    scored: (tag, out, at) => void (outputs[tag] = out.slice(at, at + model.outputWidth)),
    failed: (_tag, _model, error) => {
      throw error;
    },
  };
  for (let i = 0; i < all.length; i += size) {
    all.slice(i, i + size).forEach((row, j) => expect(model.batcher.add(row, null, sink, i + j)).toBe(true));
    await model.batcher.idle();
  }
  return outputs;
}

const loaded: LoadedModel[] = [];
async function load(s: ModelSpec): Promise<LoadedModel> {
  const model = await LoadedModel.load(s);
  loaded.push(model);
  return model;
}

afterEach(async () => {
  await Promise.all(loaded.splice(0).map((m) => m.retire()));
});

describe("A loaded model's small batches", () => {
  for (const name of baselines) {
    it(`of the ${name} baseline score as its large batches do, within the export tolerance`, async () => {
      const model = await load(spec(name));
      const input = rows(model, 300);
      const large = await scoreInBatches(model, input, 300);
      expect(model.batcher.smallRuns).toBe(0);
      const small = await scoreInBatches(model, input, 5);
      expect(model.batcher.smallRuns).toBe(60);
      const { abs, rel } = DEFAULT_EXPORT_TOLERANCE;
      for (let r = 0; r < input.length; r++) {
        for (let j = 0; j < model.outputWidth; j++) {
          const want = large[r]![j] as number;
          expect(Math.abs((small[r]![j] as number) - want)).toBeLessThanOrEqual(abs + rel * Math.abs(want));
        }
      }
    });
  }

  it("of a graph Vigil's exporter would not write are scored by onnxruntime alone", async () => {
    // unit_rul with its splits turned round (x > threshold goes to the first child): onnxruntime runs it, the reader refuses it.
    const proto = onnxProto.onnx.ModelProto.decode(spec("unit_rul").onnx);
    const modes = proto.graph!.node![0]!.attribute!.find((a) => a.name === "nodes_modes")!;
    const text = new TextDecoder();
    modes.strings = modes.strings!.map((m) => new TextEncoder().encode(text.decode(m) === "LEAF" ? "LEAF" : "BRANCH_GT"));
    const model = await load(spec("unit_rul", onnxProto.onnx.ModelProto.encode(proto).finish()));
    expect(model.twin).toBeUndefined();
    const input = rows(model, 2 * SMALL_RUN_ROWS);
    const large = await scoreInBatches(model, input, input.length);
    const small = await scoreInBatches(model, input, SMALL_RUN_ROWS - 1);
    expect(model.batcher.smallRuns).toBe(0);
    expect(small).toEqual(large);
    // Really another model: the baseline it was made from scores these rows differently.
    expect(await scoreInBatches(await load(spec("unit_rul")), input, input.length)).not.toEqual(large);
  });
});
