/**
 * Which features make the anomaly models flag the pipeline bench's normal
 * readings: the bench's load (bench/load/plant-values.ts: 200 units, a 15 s
 * warm-up then 100 s, each its own PlantLoad) replayed through the sensors'
 * rolling features (the node's default feature spec), each sensor type's
 * rows scored by the `anomaly.<type>` ONNX of a baselines directory. For the
 * rows the simulator's truth says are normal: the share flagged (score at or
 * above the threshold), the score's quantiles, which share of those flags a
 * feature group set to its training median (the manifest's distribution)
 * clears, and the features whose values mostly fall outside the training
 * rows' 10-90 % deciles. Not a suite (the leading "_"): run it by hand.
 *
 * usage: tsx bench/_flag-features.ts [baselinesDir=models] [hourUtc=now-1h] [threshold=0.6]
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { PLANT_SENSORS } from "../src/actors/simulator/index.js";
import { featureSpecOf, resolveSensorSettings } from "../src/actors/sensor/index.js";
import { loadConfig } from "../src/config/index.js";
import { featureNames, ONNX_INPUT, RollingFeatures } from "../src/ml/index.js";
import { eventSeconds, PlantLoad, truthFrom } from "./load/plant-values.js";

const UNITS = 200;
const WARM_UP = 15_000;
const LOAD = 100_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const [dir = "models", hourArg, thresholdArg = "0.6"] = process.argv.slice(2);
const threshold = Number(thresholdArg);
const now = Date.now();
const start = hourArg === undefined ? now - 60 * 60 * 1000 : Math.floor(now / DAY_MS) * DAY_MS + Number(hourArg) * 3_600_000;

const spec = featureSpecOf(resolveSensorSettings(loadConfig({ env: {} }).pipeline.sensor));
const names = featureNames(spec);
/** Feature rows of the measured load's truly normal readings, per sensor type. */
const rows = new Map<string, Float64Array[]>();
const windows = new Map<string, RollingFeatures>();
const warmUp = new PlantLoad(UNITS, start);
const load = new PlantLoad(UNITS, start + (eventSeconds(WARM_UP, UNITS) + 1) * 1000);
for (const [source, count, keep] of [[warmUp, WARM_UP, false], [load, LOAD, true]] as const) {
  const readings = source.next(count).map((r) => ({ unit: r.unit, sensor: r.sensor, ...(JSON.parse(`{${r.fields}}`) as { value: number; timestamp: number; quality: string }) }));
  const truth = truthFrom(source.truth());
  for (const r of readings) {
    if (r.quality === "BAD") continue; // kept out of the windows, as the sensor actor does
    const key = `${r.unit}/${r.sensor}`;
    let features = windows.get(key);
    if (features === undefined) windows.set(key, (features = new RollingFeatures(spec)));
    features.push(r.timestamp, r.value);
    if (!keep || !features.warm || truth.at(r.unit, r.sensor, r.timestamp)?.anomalous === true) continue;
    let list = rows.get(r.sensor);
    if (list === undefined) rows.set(r.sensor, (list = []));
    list.push(features.vector());
  }
}

const GROUPS: Record<string, (name: string) => boolean> = {
  level: (n) => /_(mean|min|max)$/.test(n) || n === "ewma",
  spread: (n) => n.endsWith("_std"),
  slope: (n) => n.endsWith("_slope") || n === "rate_of_change",
  zscore: (n) => n.endsWith("_zscore"),
};

for (const sensor of PLANT_SENSORS) {
  const modelDir = path.join(dir, `anomaly.${sensor}`);
  const version = readdirSync(modelDir).filter((d) => d.startsWith("v")).sort().at(-1);
  const data = rows.get(sensor);
  if (version === undefined || data === undefined) continue;
  const manifest = JSON.parse(readFileSync(path.join(modelDir, version, "manifest.json"), "utf8")) as { features: string[]; distribution: { edges: number[][] } };
  const session = await ort.InferenceSession.create(readFileSync(path.join(modelDir, version, "model.onnx")), { intraOpNumThreads: 1 });
  const columns = manifest.features.map((n) => names.indexOf(n));
  const median = manifest.distribution.edges.map((e) => e[4] as number);
  const score = async (change?: (row: Float32Array) => void): Promise<Float32Array> => {
    const width = columns.length;
    const x = new Float32Array(data.length * width);
    data.forEach((r, i) => {
      const row = x.subarray(i * width, (i + 1) * width);
      columns.forEach((c, j) => (row[j] = r[c] as number));
      change?.(row);
    });
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", x, [data.length, width]) });
    const scores = out[session.outputNames.at(-1) as string]!.data as Float32Array;
    const w = scores.length / data.length; // the anomaly score is a row's last output (anomalyScoreOf)
    return Float32Array.from({ length: data.length }, (_, i) => scores[i * w + w - 1] as number);
  };
  const base = await score();
  const flagged = base.filter((s) => s >= threshold).length;
  const sorted = [...base].sort((a, b) => a - b);
  const quantile = (p: number): number => Number((sorted[Math.floor(p * (sorted.length - 1))] as number).toFixed(3));
  const cleared: Record<string, number> = {};
  for (const [group, inGroup] of Object.entries(GROUPS)) {
    const s = await score((row) => manifest.features.forEach((n, j) => inGroup(n) && (row[j] = median[j] as number)));
    let c = 0;
    base.forEach((b, i) => b >= threshold && (s[i] as number) < threshold && c++);
    cleared[group] = flagged === 0 ? Number.NaN : Number((c / flagged).toFixed(3));
  }
  const outside = manifest.features.flatMap((name, j) => {
    const edges = manifest.distribution.edges[j] as number[];
    const values = data.map((r) => r[columns[j] as number] as number).sort((a, b) => a - b);
    const below = values.filter((v) => v < (edges[0] as number)).length / values.length;
    const above = values.filter((v) => v > (edges[8] as number)).length / values.length;
    return below + above > 0.5 ? [`${name} ${(100 * below).toFixed(0)}% < p10, ${(100 * above).toFixed(0)}% > p90 (median ${values[values.length >> 1]?.toFixed(3)}, training ${edges[4]})`] : [];
  });
  console.log(JSON.stringify({ model: `anomaly.${sensor}@${version}`, hour: new Date(start).toISOString().slice(11, 16), normalRows: data.length, flagged, share: Number((flagged / data.length).toFixed(4)), score_p50: quantile(0.5), score_p99: quantile(0.99), cleared_by_training_median: cleared }));
  for (const line of outside) console.log(`  ${line}`);
}
