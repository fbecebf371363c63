/**
 * `npm run models:baseline [-- --seed N --out DIR]`: retrains the baseline
 * models in models/ with Vigil's own trainer on its own simulator data
 * (src/actors/trainer/baselines.ts). The same seed writes the same files.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { trainBaselines } from "../actors/trainer/baselines.js";

const DEFAULT_OUT = fileURLToPath(new URL("../../models", import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: "string", default: "1" }, out: { type: "string", default: DEFAULT_OUT } } });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a whole number >= 0, got ${values.seed}`);
  const started = performance.now();
  const outcomes = await trainBaselines({ outDir: values.out, seed });
  for (const m of outcomes) {
    const figures = Object.entries(m.metrics)
      .map(([k, v]) => `${k} ${Number.isFinite(v) ? Number(v.toPrecision(4)) : "n/a"}`)
      .join(", ");
    process.stdout.write(`${m.model} v${m.version} ${m.stage}: ${figures} (${m.rows.train} rows, ${m.rows.holdout} held out; data ${m.dataHash.slice(0, 12)})\n`);
  }
  process.stdout.write(`wrote ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
