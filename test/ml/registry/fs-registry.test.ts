import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FsModelRegistry } from "../../../src/ml/index.js";
import { newVersion, registryContract } from "./registry.case.js";

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "vigil-registry-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

registryContract("filesystem", async () => new FsModelRegistry({ root: await freshDir() }));

const BY = { who: "spec", why: "testing" };

describe("filesystem model registry", () => {
  it("refuses to load a version whose ONNX file was altered on disk, naming the hash mismatch", async () => {
    const root = await freshDir();
    const registry = new FsModelRegistry({ root });
    await registry.register(newVersion(), BY);
    const file = path.join(root, "rul", "v000001", "model.onnx");
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(file, bytes);
    await expect(registry.load("rul", 1)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT", message: expect.stringContaining("hash") as unknown });
  });

  it("refuses a rollback to a version whose file is damaged, and Production stays as it was", async () => {
    const root = await freshDir();
    const registry = new FsModelRegistry({ root });
    for (const seed of [1, 2]) {
      const v = await registry.register(newVersion("rul", seed), BY);
      await registry.transition("rul", v.version, "Staging", BY);
      await registry.transition("rul", v.version, "Production", BY);
    }
    await writeFile(path.join(root, "rul", "v000001", "model.onnx"), "not a model");
    await expect(registry.rollback("rul", 1, BY)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT" });
    expect((await registry.production("rul"))?.version).toBe(2);
  });

  it("refuses a manifest that is not valid, with VIGIL_MODEL_CORRUPT", async () => {
    const root = await freshDir();
    const registry = new FsModelRegistry({ root });
    await registry.register(newVersion(), BY);
    await writeFile(path.join(root, "rul", "v000001", "manifest.json"), "{ half");
    await expect(registry.get("rul", 1)).rejects.toMatchObject({ code: "VIGIL_MODEL_CORRUPT" });
  });

  it("keeps the audit log append-only across registry instances on the same root", async () => {
    const root = await freshDir();
    await new FsModelRegistry({ root, now: () => 1 }).register(newVersion(), BY);
    await new FsModelRegistry({ root, now: () => 2 }).transition("rul", 1, "Staging", { who: "bob", why: "review" });
    const lines = (await readFile(path.join(root, "rul", "audit.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { ts: number; who: string }).who)).toEqual(["spec", "bob"]);
    expect(lines.map((l) => (JSON.parse(l) as { ts: number }).ts)).toEqual([1, 2]);
  });
});
