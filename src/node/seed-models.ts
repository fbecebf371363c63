/**
 * Seeding the registry from the checked-in baselines (models/, in the
 * filesystem registry's layout), every start: each baseline model's
 * Production version (else its newest) whose content the registry does not
 * hold yet is registered, audited who "system/seed" why "baseline shipped
 * with vigil <version>", so an upgrade's new baselines reach a registry that
 * already has the old ones. It goes to Production (archiving the one there)
 * only when the model has none or the one there is itself a seeded baseline
 * put there by seeding; over a version a user trained or promoted it stays in
 * Staging, the reason in its audit. Content already held adds nothing, and
 * nodes seeding one registry at once register each baseline once
 * (ModelRegistry.registerOnce): only the node that registered it moves it.
 */
import { existsSync } from "node:fs";
import { packageInfo } from "../cli/package-info.js";
import { FsModelRegistry, type ChangeBy, type ModelRegistry, type ModelVersion } from "../ml/index.js";
import type { Logger } from "../runtime/log.js";

export const SEED_WHO = "system/seed";
/** Who seeding was audited as before it seeded upgrades: those versions are baselines too. */
const EARLIER_SEED_WHO = "vigil";

const isSeed = (who: string): boolean => who === SEED_WHO || who === EARLIER_SEED_WHO;

/** Returns the versions registered, in the stage they were left in (empty when every baseline was already there). */
export async function seedRegistry(registry: ModelRegistry, baselineDir: string, log: Logger, vigilVersion = packageInfo().version): Promise<ModelVersion[]> {
  if (baselineDir === "" || !existsSync(baselineDir)) return [];
  const baselines = new FsModelRegistry({ root: baselineDir });
  const newest = new Map<string, ModelVersion>();
  for (const v of await baselines.list()) {
    const kept = newest.get(v.model);
    if (kept === undefined || (kept.stage !== "Production" && (v.stage === "Production" || v.version > kept.version))) newest.set(v.model, v);
  }
  const by: ChangeBy = { who: SEED_WHO, why: `baseline shipped with vigil ${vigilVersion}` };
  const seeded: ModelVersion[] = [];
  for (const [model, v] of newest) {
    try {
      const { manifest, onnx } = await baselines.load(model, v.version);
      const { version: _v, stage: _s, createdAt: _c, onnxSha256: _h, onnxSize: _n, ...rest } = manifest;
      const { version: added, registered } = await registry.registerOnce({ ...rest, onnx }, by);
      if (!registered) {
        log.info({ model, version: added.version, stage: added.stage }, "baseline model already in the registry");
        continue;
      }
      const live = await registry.production(model);
      const kept = live === undefined ? undefined : await notBaseline(registry, live);
      if (kept !== undefined) {
        seeded.push(await registry.transition(model, added.version, "Staging", { who: by.who, why: `${by.why}; not promoted: ${kept}` }));
        log.warn({ model, version: added.version, production: live?.version, reason: kept }, "baseline model registered in Staging, Production left as it is");
        continue;
      }
      await registry.transition(model, added.version, "Staging", by);
      seeded.push(await registry.transition(model, added.version, "Production", by));
      log.info({ model, version: added.version, archived: live?.version }, "baseline model registered and promoted to Production");
    } catch (err) {
      // A damaged baseline must not stop the node: it scores with what the registry has, or by rules.
      log.error({ err, model, baselineDir }, "baseline model not seeded");
    }
  }
  return seeded;
}

/** Why the version in Production is not a baseline seeding may replace (registered and promoted by seeding), or undefined when it is one. */
async function notBaseline(registry: ModelRegistry, live: ModelVersion): Promise<string | undefined> {
  const entries = (await registry.audit(live.model)).filter((e) => e.version === live.version);
  const registeredBy = entries.find((e) => e.action === "register")?.who ?? "unknown";
  if (!isSeed(registeredBy)) return `Production v${live.version} was registered by ${registeredBy}, not a baseline`;
  const promotedBy = entries.findLast((e) => e.to === "Production")?.who ?? "unknown";
  return isSeed(promotedBy) ? undefined : `Production v${live.version} was put there by ${promotedBy}`;
}
