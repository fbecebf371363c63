/**
 * The filesystem registry, the embedded default:
 *
 *   <root>/<model>/v000001/model.onnx      the ONNX bytes
 *   <root>/<model>/v000001/manifest.json   the ModelVersion (stage included)
 *   <root>/<model>/audit.jsonl             one AuditEntry per line, append-only
 *
 * Writes go to a temporary file renamed into place, so a crash leaves the old
 * manifest or the new one, never half of one; a version exists once its
 * manifest does. One process owns a root: changes are serialised in-process
 * (a cluster uses the JetStream backend instead).
 */
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { VigilError } from "../../runtime/index.js";
import { checkModelBytes, sha256 } from "./check.js";
import { checkBy, checkDistribution, checkName, MODEL_NAME, newManifest, parseManifest, sameContent, versionLabel } from "./manifest.js";
import { planRollback, planTransition, type StageMove } from "./stage-plan.js";
import type { AuditEntry, ChangeBy, ModelRegistry, ModelVersion, NewModelVersion, RegistryWatch, Stage } from "./types.js";

export interface FsRegistryOptions {
  readonly root: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export class FsModelRegistry implements ModelRegistry {
  private readonly root: string;
  private readonly now: () => number;
  /** Every change waits for the one before: stage moves read-then-write several manifests. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(change: AuditEntry) => void>();

  constructor(options: FsRegistryOptions) {
    this.root = options.root;
    this.now = options.now ?? Date.now;
  }

  register(v: NewModelVersion, by: ChangeBy): Promise<ModelVersion> {
    return this.serial(() => this.add(v, by));
  }

  registerOnce(v: NewModelVersion, by: ChangeBy): Promise<{ version: ModelVersion; registered: boolean }> {
    // Changes are serialised, so looking and registering cannot interleave with another register.
    return this.serial(async () => {
      const onnxSha256 = sha256(v.onnx);
      const found = (await this.list(v.model)).find((m) => sameContent(m, v, onnxSha256));
      return found === undefined ? { version: await this.add(v, by), registered: true } : { version: found, registered: false };
    });
  }

  transition(model: string, version: number, to: Stage, by: ChangeBy): Promise<ModelVersion> {
    return this.serial(async () => {
      checkBy(by);
      await this.readManifest(model, version);
      return this.apply(planTransition(model, await this.stages(model), version, to, by));
    });
  }

  rollback(model: string, version: number, by: ChangeBy): Promise<ModelVersion> {
    return this.serial(async () => {
      checkBy(by);
      const target = await this.readManifest(model, version);
      const moves = planRollback(model, await this.stages(model), version, by);
      await this.loadChecked(target);
      return this.apply(moves);
    });
  }

  async list(model?: string): Promise<ModelVersion[]> {
    const models = model === undefined ? await this.modelNames() : [model];
    const out: ModelVersion[] = [];
    for (const m of models) for (const v of await this.versionNumbers(m)) out.push(await this.readManifest(m, v));
    return out;
  }

  get(model: string, version: number): Promise<ModelVersion> {
    return this.readManifest(model, version);
  }

  production(model: string): Promise<ModelVersion | undefined> {
    return this.findProduction(model);
  }

  async load(model: string, version: number): Promise<{ manifest: ModelVersion; onnx: Uint8Array }> {
    const manifest = await this.readManifest(model, version);
    return { manifest, onnx: await this.loadChecked(manifest) };
  }

  async audit(model?: string): Promise<AuditEntry[]> {
    const models = model === undefined ? await this.modelNames() : [model];
    const entries: AuditEntry[] = [];
    for (const m of models) {
      checkName(m);
      const text = await readFile(path.join(this.root, m, "audit.jsonl"), "utf8").catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return "";
        throw err;
      });
      for (const line of text.split("\n")) if (line.trim() !== "") entries.push(JSON.parse(line) as AuditEntry);
    }
    return entries.sort((a, b) => a.ts - b.ts);
  }

  // ---- internals ------------------------------------------------------------

  /** Stores `v` as the next version; run inside `serial`. */
  private async add(v: NewModelVersion, by: ChangeBy): Promise<ModelVersion> {
    checkName(v.model);
    checkBy(by);
    checkDistribution(v);
    await checkModelBytes(`${v.model} (new version)`, v.onnx, v.features);
    const dir = path.join(this.root, v.model);
    await mkdir(dir, { recursive: true });
    const version = (await this.versionNumbers(v.model)).reduce((a, b) => Math.max(a, b), 0) + 1;
    const manifest = newManifest(v, version, this.now());
    const vdir = this.versionDir(v.model, version);
    await mkdir(vdir);
    await atomicWrite(path.join(vdir, "model.onnx"), v.onnx);
    await this.writeManifest(manifest);
    await this.appendAudit({ ts: manifest.createdAt, model: v.model, version, action: "register", from: null, to: "None", ...by });
    return manifest;
  }

  /** Applies a plan's moves in order; answers the manifest of the last one (the version asked for). */
  private async apply(moves: readonly StageMove[]): Promise<ModelVersion> {
    let last: ModelVersion | undefined;
    for (const move of moves) {
      last = { ...(await this.readManifest(move.model, move.version)), stage: move.to };
      await this.writeManifest(last);
      await this.appendAudit({ ts: this.now(), ...move });
    }
    if (last === undefined) throw new Error("a stage plan always has a move");
    return last;
  }

  private async stages(model: string): Promise<Map<number, Stage>> {
    return new Map((await this.list(model)).map((v) => [v.version, v.stage]));
  }

  private async loadChecked(manifest: ModelVersion): Promise<Uint8Array> {
    const label = `${manifest.model} v${manifest.version}`;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.join(this.versionDir(manifest.model, manifest.version), "model.onnx")));
    } catch (err) {
      throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: its ONNX file cannot be read`, { cause: err });
    }
    await checkModelBytes(label, bytes, manifest.features, manifest.onnxSha256);
    return bytes;
  }

  private async findProduction(model: string): Promise<ModelVersion | undefined> {
    return (await this.list(model)).find((v) => v.stage === "Production");
  }

  private async readManifest(model: string, version: number): Promise<ModelVersion> {
    checkName(model);
    const file = path.join(this.versionDir(model, version), "manifest.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new VigilError("VIGIL_MODEL_NOT_FOUND", `no version ${version} of model "${model}"`);
      throw err;
    }
    return parseManifest(model, version, text);
  }

  private async writeManifest(manifest: ModelVersion): Promise<void> {
    await atomicWrite(path.join(this.versionDir(manifest.model, manifest.version), "manifest.json"), manifestJson(manifest));
  }

  watch(listener: (change: AuditEntry) => void): RegistryWatch {
    this.listeners.add(listener);
    return { ready: Promise.resolve(), stop: () => this.listeners.delete(listener) };
  }

  private async appendAudit(entry: AuditEntry): Promise<void> {
    await appendFile(path.join(this.root, entry.model, "audit.jsonl"), JSON.stringify(entry) + "\n");
    // A listener's failure is its own: the change is already durable.
    for (const listener of this.listeners) queueMicrotask(() => listener(entry));
  }

  private async modelNames(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [];
      throw err;
    });
    return entries.filter((e) => e.isDirectory() && MODEL_NAME.test(e.name)).map((e) => e.name).sort();
  }

  /** Versions whose manifest exists (a directory without one is a register that did not finish). */
  private async versionNumbers(model: string): Promise<number[]> {
    checkName(model);
    const entries = await readdir(path.join(this.root, model), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [];
      throw err;
    });
    const out: number[] = [];
    for (const e of entries) {
      const m = /^v(\d{6,})$/.exec(e.name);
      if (m === null || !e.isDirectory()) continue;
      const files = await readdir(path.join(this.root, model, e.name));
      if (files.includes("manifest.json")) out.push(Number(m[1]));
    }
    return out.sort((a, b) => a - b);
  }

  private versionDir(model: string, version: number): string {
    return path.join(this.root, model, versionLabel(version));
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** Indented JSON, but a list of numbers on one line: a distribution's hundreds of numbers would otherwise take a line each. */
function manifestJson(manifest: ModelVersion): string {
  const text = JSON.stringify(manifest, null, 2).replace(/\[([-\d.eE+,\s]+)\]/g, (_all, inner: string) => `[${inner.split(",").map((n) => n.trim()).join(", ")}]`);
  return text + "\n";
}
