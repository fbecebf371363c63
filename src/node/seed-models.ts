/**
 * Seeding an empty registry from the checked-in baselines (models/, in the
 * filesystem registry's layout): every model the node's registry does not
 * know yet gets the baseline's Production version (else its newest),
 * registered and promoted, audited who "vigil" why "baseline from models/".
 * Models the registry already has are left alone, so seeding again — every
 * start — changes nothing.
 */
import { existsSync } from "node:fs";
import { FsModelRegistry, type ModelRegistry, type ModelVersion } from "../ml/index.js";
import type { Logger } from "../runtime/log.js";

export const SEED_BY = { who: "vigil", why: "baseline from models/" } as const;

/** Returns the versions registered (empty when there was nothing to seed). */
export async function seedRegistry(registry: ModelRegistry, baselineDir: string, log: Logger): Promise<ModelVersion[]> {
  if (baselineDir === "" || !existsSync(baselineDir)) return [];
  const baselines = new FsModelRegistry({ root: baselineDir });
  const known = new Set((await registry.list()).map((v) => v.model));
  const newest = new Map<string, ModelVersion>();
  for (const v of await baselines.list()) {
    const kept = newest.get(v.model);
    if (kept === undefined || (kept.stage !== "Production" && (v.stage === "Production" || v.version > kept.version))) newest.set(v.model, v);
  }
  const seeded: ModelVersion[] = [];
  for (const [model, v] of newest) {
    if (known.has(model)) continue;
    try {
      const { manifest, onnx } = await baselines.load(model, v.version);
      const { version: _v, stage: _s, createdAt: _c, onnxSha256: _h, onnxSize: _n, ...rest } = manifest;
      const registered = await registry.register({ ...rest, onnx }, SEED_BY);
      await registry.transition(model, registered.version, "Staging", SEED_BY);
      seeded.push(await registry.transition(model, registered.version, "Production", SEED_BY));
    } catch (err) {
      // A damaged baseline must not stop the node: it scores by rules until a model is trained.
      log.error({ err, model, baselineDir }, "baseline model not seeded");
    }
  }
  if (seeded.length > 0) log.info({ models: seeded.map((s) => `${s.model} v${s.version}`), baselineDir }, "model registry seeded from the baselines");
  return seeded;
}
