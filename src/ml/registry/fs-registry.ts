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
import { z } from "zod";
import { VigilError } from "../../runtime/index.js";
import { ALGORITHMS, TASKS } from "../model.js";
import { checkModelBytes, sha256 } from "./check.js";
import { ALLOWED_TRANSITIONS, STAGES, type AuditEntry, type ChangeBy, type ModelRegistry, type ModelVersion, type NewModelVersion, type RegistryWatch, type Stage } from "./types.js";

export interface FsRegistryOptions {
  readonly root: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Model names become directory names: letters, digits, '.', '_' and '-', starting with a letter or digit. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const numbers = z.record(z.string(), z.number());
const manifestSchema = z.strictObject({
  model: z.string().regex(MODEL_NAME),
  version: z.number().int().min(1),
  stage: z.enum(STAGES),
  createdAt: z.number(),
  algorithm: z.enum(ALGORITHMS),
  task: z.enum(TASKS),
  features: z.array(z.string()).min(1),
  params: numbers,
  // JSON has no NaN: a metric that was NaN (e.g. AUC with one class) is stored as null.
  metrics: z.record(z.string(), z.number().nullable()).transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v ?? Number.NaN]))),
  trainingWindow: z.strictObject({ from: z.number(), to: z.number() }),
  dataHash: z.string().regex(/^[0-9a-f]{64}$/),
  seed: z.number().int(),
  onnxSha256: z.string().regex(/^[0-9a-f]{64}$/),
  onnxSize: z.number().int().min(0),
});

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
    return this.serial(async () => {
      checkName(v.model);
      checkBy(by);
      await checkModelBytes(`${v.model} (new version)`, v.onnx, v.features);
      const dir = path.join(this.root, v.model);
      await mkdir(dir, { recursive: true });
      const version = (await this.versionNumbers(v.model)).reduce((a, b) => Math.max(a, b), 0) + 1;
      const manifest: ModelVersion = {
        model: v.model,
        version,
        stage: "None",
        createdAt: this.now(),
        algorithm: v.algorithm,
        task: v.task,
        features: [...v.features],
        params: { ...v.params },
        metrics: { ...v.metrics },
        trainingWindow: { ...v.trainingWindow },
        dataHash: v.dataHash,
        seed: v.seed,
        onnxSha256: sha256(v.onnx),
        onnxSize: v.onnx.length,
      };
      const vdir = this.versionDir(v.model, version);
      await mkdir(vdir);
      await atomicWrite(path.join(vdir, "model.onnx"), v.onnx);
      await this.writeManifest(manifest);
      await this.appendAudit({ ts: manifest.createdAt, model: v.model, version, action: "register", from: null, to: "None", ...by });
      return manifest;
    });
  }

  transition(model: string, version: number, to: Stage, by: ChangeBy): Promise<ModelVersion> {
    return this.serial(async () => {
      checkBy(by);
      const current = await this.readManifest(model, version);
      if (!ALLOWED_TRANSITIONS[current.stage].includes(to)) {
        throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model} v${version}: cannot move from ${current.stage} to ${to} (allowed: ${ALLOWED_TRANSITIONS[current.stage].join(", ")})`);
      }
      if (to === "Production") return this.promote(current, "transition", by);
      return this.setStage(current, to, "transition", by);
    });
  }

  rollback(model: string, version: number, by: ChangeBy): Promise<ModelVersion> {
    return this.serial(async () => {
      checkBy(by);
      const target = await this.readManifest(model, version);
      const live = await this.findProduction(model);
      if (live === undefined) throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model}: nothing is in Production to roll back from`);
      if (version >= live.version) throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", `${model}: rollback goes to a version before v${live.version} (in Production), not v${version}`);
      await this.loadChecked(target);
      return this.promote(target, "rollback", by);
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

  /** The version in Production becomes Archived, `target` becomes Production; both audited. */
  private async promote(target: ModelVersion, action: "transition" | "rollback", by: ChangeBy): Promise<ModelVersion> {
    const live = await this.findProduction(target.model);
    if (live !== undefined && live.version !== target.version) {
      await this.setStage(live, "Archived", action, { who: by.who, why: `replaced by v${target.version}: ${by.why}` });
    }
    return this.setStage(target, "Production", action, by);
  }

  private async setStage(manifest: ModelVersion, to: Stage, action: AuditEntry["action"], by: ChangeBy): Promise<ModelVersion> {
    const next: ModelVersion = { ...manifest, stage: to };
    await this.writeManifest(next);
    await this.appendAudit({ ts: this.now(), model: manifest.model, version: manifest.version, action, from: manifest.stage, to, ...by });
    return next;
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
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest is not JSON`, { cause: err });
    }
    const result = manifestSchema.safeParse(parsed);
    if (!result.success) throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest is invalid: ${z.prettifyError(result.error)}`);
    if (result.data.model !== model || result.data.version !== version) {
      throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: manifest says ${result.data.model} v${result.data.version}`);
    }
    return result.data;
  }

  private async writeManifest(manifest: ModelVersion): Promise<void> {
    await atomicWrite(path.join(this.versionDir(manifest.model, manifest.version), "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  }

  watch(listener: (change: AuditEntry) => void): RegistryWatch {
    this.listeners.add(listener);
    return { stop: () => this.listeners.delete(listener) };
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
    return path.join(this.root, model, `v${String(version).padStart(6, "0")}`);
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function checkName(model: string): void {
  if (!MODEL_NAME.test(model)) throw new VigilError("VIGIL_MODEL_NOT_FOUND", `model name "${model}": expected letters, digits, '.', '_' or '-' (at most 64)`);
}

function checkBy(by: ChangeBy): void {
  if (by.who.trim() === "" || by.why.trim() === "") throw new VigilError("VIGIL_MODEL_TRANSITION_INVALID", "every registry change needs who and why");
}

async function atomicWrite(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
