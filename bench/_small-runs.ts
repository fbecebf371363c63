/**
 * Crossover of the two evaluators of one model: an onnxruntime run (as a
 * LoadedModel makes it: a one-thread session, awaited) against `predict` on
 * the model read back from the same bytes (readOnnx), for runs of 1..1024
 * rows of each baseline under models/. Prints CPU µs per run and per row
 * (process CPU, all threads) for both.
 *
 *   npx tsx bench/_small-runs.ts [model ...]
 */
import { readFileSync, readdirSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { predict } from "../src/ml/model.js";
import { ONNX_INPUT } from "../src/ml/onnx/export.js";
import { readOnnx } from "../src/ml/onnx/read.js";
import { loadSession } from "../src/ml/onnx/verify.js";
import { outputNameOf } from "../src/ml/model.js";

const SIZES = [1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 256, 1024];
const names = process.argv.length > 2 ? process.argv.slice(2) : readdirSync("models").filter((n) => !n.endsWith(".md"));

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

for (const name of names) {
  const bytes = new Uint8Array(readFileSync(`models/${name}/v000001/model.onnx`));
  const model = readOnnx(bytes);
  if (model === undefined) {
    console.log(`${name}: not read`);
    continue;
  }
  const d = model.features.length;
  const session = await loadSession(bytes, 1);
  const output = outputNameOf(model.task);
  // Rows of plausible spread: each feature around the thresholds the trees split it at is not known here, so N(0, 1) scaled.
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const x = Float32Array.from({ length: 1024 * d }, () => rnd() * 3);
  for (const rows of SIZES) {
    const input = x.subarray(0, rows * d);
    const reps = Math.max(20, Math.round(20000 / rows));
    const ortRun = async () => (await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", input, [rows, d]) }))[output]?.data as Float32Array;
    for (let i = 0; i < 20; i++) await ortRun();
    let t = cpuUs();
    for (let i = 0; i < reps; i++) await ortRun();
    const ortUs = (cpuUs() - t) / reps;
    for (let i = 0; i < 20; i++) Float32Array.from(predict(model, input, rows));
    t = cpuUs();
    for (let i = 0; i < reps; i++) Float32Array.from(predict(model, input, rows));
    const tsUs = (cpuUs() - t) / reps;
    console.log(`${name} rows ${rows} ort_us_per_run ${ortUs.toFixed(1)} ts_us_per_run ${tsUs.toFixed(1)} ort_us_per_row ${(ortUs / rows).toFixed(2)} ts_us_per_row ${(tsUs / rows).toFixed(2)}`);
  }
  await session.release();
}
