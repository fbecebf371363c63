/**
 * The baselines in models/ are reproducible: `npm run models:baseline`'s
 * function, run again with the same seed, writes the same manifests (data
 * hash, metrics, parameters, features, window) and the same ONNX bytes as
 * the ones checked in.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { trainBaselines } from "../../../src/actors/trainer/baselines.js";

const CHECKED_IN = fileURLToPath(new URL("../../../models", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "vigil-baselines-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith(".md"))
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe("the baseline models", () => {
  it("come out of the baseline script byte for byte as checked in, for seed 1", async () => {
    const outcomes = await trainBaselines({ outDir: out, seed: 1 });
    expect(outcomes.map((m) => [m.model, m.stage])).toEqual([
      ["anomaly.flow_rate", "Production"],
      ["anomaly.power", "Production"],
      ["anomaly.pressure", "Production"],
      ["anomaly.temperature", "Production"],
      ["anomaly.vibration", "Production"],
      ["unit_state", "Production"],
      ["unit_rul", "Production"],
      ["solar_forecast", "Production"],
    ]);
    expect(files(out)).toEqual(files(CHECKED_IN));
    for (const f of files(CHECKED_IN)) expect(readFileSync(join(out, f)).equals(readFileSync(join(CHECKED_IN, f))), f).toBe(true);
  }, 900_000); // minutes of CPU for eight models; on a loaded machine far more wall time
});
