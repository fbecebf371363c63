/**
 * The JetStream registry, for clusters: every node that opens the same
 * bucket sees the same versions and stages, and hears every change.
 *
 *   object store <bucket>          <model>/v000001 → the ONNX bytes
 *   key-value    <bucket>          <model>.v000001 → the manifest (without its stage), written once
 *   stream       <bucket>-changes  vigil.registry.<bucket>.<model> → one message per change
 *
 * A change message carries the change's audit entries and the stage of
 * every version after it, so a model's stages are its subject's last
 * message, and its subject's messages in order are its audit log. A stage
 * move touches two versions (promoting archives the one before), and
 * key-value has no multi-key transaction; one message per model makes the
 * move and its audit a single write. Writers compare-and-set on the
 * subject's last sequence (the same check key-value revisions use) and
 * replan on a conflict, so two nodes promoting at once leave one version in
 * Production, both moves audited in the order they landed. The stream
 * refuses deletes and purges: the audit is append-only.
 *
 * A version exists once its register message does: a manifest or object
 * left by a register that died halfway is never listed, and only costs a
 * version number.
 */
import { setTimeout as delay } from "node:timers/promises";
import { DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { z } from "zod";
import { MODEL_BUCKET_NAME } from "../../config/index.js";
import { VigilError } from "../../runtime/index.js";
import type { Logger } from "../../runtime/log.js";
import { checkModelBytes, sha256 } from "./check.js";
import { checkBy, checkDistribution, checkName, newManifest, parseManifest, sameContent, versionLabel } from "./manifest.js";
import { planRollback, planTransition, type StageMove } from "./stage-plan.js";
import { STAGES, type AuditEntry, type ChangeBy, type ModelRegistry, type ModelVersion, type NewModelVersion, type RegistryWatch, type Stage } from "./types.js";

export interface JetStreamRegistryOptions {
  /** The caller's connection; the registry never closes it. */
  readonly nats: NatsConnection;
  /** Names the object store, the key-value bucket and (with `-changes`) the change stream. @default "vigil-models" */
  readonly bucket?: string;
  /** Copies of each kept by the JetStream cluster (1 on a single server, 3 in a cluster). @default 1 */
  readonly replicas?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Compare-and-set attempts per change before giving up under contention. @default 20 */
  readonly maxAttempts?: number;
  /** Where a watch says it stopped hearing changes, or skipped a message it cannot read. */
  readonly logger?: Logger;
}

export const DEFAULT_MODEL_BUCKET = "vigil-models";

const auditEntrySchema = z.strictObject({
  ts: z.number(),
  model: z.string(),
  version: z.number().int().min(1),
  action: z.enum(["register", "transition", "rollback"]),
  from: z.enum(STAGES).nullable(),
  to: z.enum(STAGES),
  who: z.string(),
  why: z.string(),
});
const changeSchema = z.strictObject({
  entries: z.array(auditEntrySchema).min(1),
  /** Version number (as a string key) → its stage after this change. */
  stages: z.record(z.string().regex(/^\d+$/), z.enum(STAGES)),
});
type Change = z.infer<typeof changeSchema>;

interface Head {
  /** Stream sequence of the model's last change; 0 before its first. */
  readonly seq: number;
  readonly stages: Map<number, Stage>;
}

export class JetStreamModelRegistry implements ModelRegistry {
  private readonly subjectPrefix: string;
  private readonly stream: string;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    private readonly objects: ObjectStore,
    bucket: string,
    private readonly now: () => number,
    private readonly maxAttempts: number,
    private readonly logger: Logger | undefined,
  ) {
    this.subjectPrefix = `vigil.registry.${bucket}`;
    this.stream = `${bucket}-changes`;
  }

  /** Binds to the bucket, creating its object store, key-value bucket and change stream when missing. */
  static async open(options: JetStreamRegistryOptions): Promise<JetStreamModelRegistry> {
    const bucket = options.bucket ?? DEFAULT_MODEL_BUCKET;
    if (!MODEL_BUCKET_NAME.test(bucket)) throw new VigilError("VIGIL_CONFIG_INVALID", `model registry bucket "${bucket}": letters, digits, '_' or '-' only`);
    const replicas = options.replicas ?? 1;
    const js = jetstream(options.nats);
    try {
      const jsm = await jetstreamManager(options.nats);
      const stream = `${bucket}-changes`;
      try {
        await jsm.streams.info(stream);
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
        // Two nodes may both get here: adding an identical stream twice is not an error.
        await jsm.streams.add({
          name: stream,
          subjects: [`vigil.registry.${bucket}.>`],
          num_replicas: replicas,
          deny_delete: true,
          deny_purge: true,
          description: "Vigil model registry: every change, per model",
        });
      }
      // No direct gets: they may answer from a replica that has not seen a manifest a change already names.
      const kv = await new Kvm(js).create(bucket, { history: 1, replicas, allow_direct: false, description: "Vigil model registry: manifests" });
      const objects = await new Objm(js).create(bucket, { replicas, description: "Vigil model registry: ONNX files" });
      return new JetStreamModelRegistry(js, jsm, kv, objects, bucket, options.now ?? Date.now, options.maxAttempts ?? 20, options.logger);
    } catch (err) {
      throw new VigilError("VIGIL_MODEL_REGISTRY_UNAVAILABLE", `cannot open the JetStream model registry "${bucket}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  async register(v: NewModelVersion, by: ChangeBy): Promise<ModelVersion> {
    return (await this.add(v, by, false)).version;
  }

  /**
   * The register message is the compare-and-set: it is planned against the
   * model's versions at that moment, so of several instances registering the
   * same content at once, the first whose message lands registers it and the
   * others find it on replanning. A loser's claimed version number, manifest
   * and object are left unlisted, as a register that died halfway leaves them.
   */
  registerOnce(v: NewModelVersion, by: ChangeBy): Promise<{ version: ModelVersion; registered: boolean }> {
    return this.add(v, by, true);
  }

  async transition(model: string, version: number, to: Stage, by: ChangeBy): Promise<ModelVersion> {
    checkName(model);
    checkBy(by);
    await this.change(model, (head) => planTransition(model, head.stages, version, to, by));
    // The stage this change set, even if another node has moved the version since.
    return this.readManifest(model, version, to);
  }

  async rollback(model: string, version: number, by: ChangeBy): Promise<ModelVersion> {
    checkName(model);
    checkBy(by);
    let checked = false;
    await this.change(model, async (head) => {
      const moves = planRollback(model, head.stages, version, by);
      // The bytes never change, so once is enough across compare-and-set retries.
      if (!checked) await this.load(model, version);
      checked = true;
      return moves;
    });
    return this.readManifest(model, version, "Production");
  }

  async list(model?: string): Promise<ModelVersion[]> {
    const models = model === undefined ? await this.modelNames() : [model];
    const out: ModelVersion[] = [];
    for (const m of models) {
      checkName(m);
      const { stages } = await this.head(m);
      const versions = [...stages].sort((a, b) => a[0] - b[0]);
      out.push(...(await Promise.all(versions.map(([version, stage]) => this.readManifest(m, version, stage)))));
    }
    return out;
  }

  async get(model: string, version: number): Promise<ModelVersion> {
    checkName(model);
    const stage = (await this.head(model)).stages.get(version);
    if (stage === undefined) throw notFound(model, version);
    return this.readManifest(model, version, stage);
  }

  async production(model: string): Promise<ModelVersion | undefined> {
    checkName(model);
    for (const [version, stage] of (await this.head(model)).stages) if (stage === "Production") return this.readManifest(model, version, stage);
    return undefined;
  }

  async load(model: string, version: number): Promise<{ manifest: ModelVersion; onnx: Uint8Array }> {
    const manifest = await this.get(model, version);
    const label = `${model} v${version}`;
    let bytes: Uint8Array | null;
    try {
      bytes = await this.objects.getBlob(this.objectName(model, version));
    } catch (err) {
      throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: its ONNX object cannot be read`, { cause: err });
    }
    if (bytes === null) throw new VigilError("VIGIL_MODEL_CORRUPT", `${label}: its ONNX object is missing from the object store`);
    await checkModelBytes(label, bytes, manifest.features, manifest.onnxSha256);
    return { manifest, onnx: bytes };
  }

  async audit(model?: string): Promise<AuditEntry[]> {
    let subject: string;
    let lastSeq: number;
    if (model === undefined) {
      subject = `${this.subjectPrefix}.>`;
      lastSeq = (await this.jsm.streams.info(this.stream)).state.last_seq;
    } else {
      checkName(model);
      subject = this.subject(model);
      lastSeq = (await this.head(model)).seq;
    }
    if (lastSeq === 0) return [];
    const consumer = await this.js.consumers.get(this.stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume();
    const entries: AuditEntry[] = [];
    for await (const m of messages) {
      entries.push(...parseChange(m.subject, m.data).entries);
      if (m.seq >= lastSeq || m.info.pending === 0) break;
    }
    messages.stop();
    return entries;
  }

  /**
   * Every node's changes, from an ordered consumer on the change stream that
   * starts after the newest change and resumes where it was after a
   * reconnect. `ready` settles once the consumer exists: changes after it
   * are all reported.
   */
  watch(listener: (change: AuditEntry) => void): RegistryWatch {
    let stopped = false;
    let messages: ConsumerMessages | undefined;
    const ready = (async () => {
      const consumer = await this.js.consumers.get(this.stream, { filter_subjects: `${this.subjectPrefix}.>`, deliver_policy: DeliverPolicy.New });
      messages = await consumer.consume();
      if (stopped) {
        messages.stop();
        return;
      }
      const delivered = messages;
      void (async () => {
        for await (const m of delivered) {
          let change: Change;
          try {
            change = parseChange(m.subject, m.data);
          } catch (err) {
            this.logger?.warn({ err, subject: m.subject, seq: m.seq }, "model registry watch skipped a change it cannot read");
            continue;
          }
          // A listener's failure is its own: the change is already durable.
          for (const entry of change.entries) queueMicrotask(() => listener(entry));
        }
      })().catch((err: unknown) => {
        this.logger?.error({ err }, "model registry watch stopped: promotions on other nodes are no longer heard");
      });
    })();
    // Marked handled here; whoever awaits `ready` still sees the rejection.
    ready.catch(() => undefined);
    return {
      ready,
      stop: () => {
        stopped = true;
        messages?.stop();
      },
    };
  }

  // ---- internals ------------------------------------------------------------

  private async add(v: NewModelVersion, by: ChangeBy, once: boolean): Promise<{ version: ModelVersion; registered: boolean }> {
    checkName(v.model);
    checkBy(by);
    const onnxSha256 = sha256(v.onnx);
    // Read once per version across compare-and-set retries: a manifest never changes.
    const manifests = new Map<number, ModelVersion>();
    const holding = async (head: Head): Promise<ModelVersion | undefined> => {
      for (const [version, stage] of head.stages) {
        const stored = manifests.get(version) ?? (await this.readManifest(v.model, version, stage));
        manifests.set(version, stored);
        if (sameContent(stored, v, onnxSha256)) return { ...stored, stage };
      }
      return undefined;
    };
    // The common case (a restart with content already there) claims nothing.
    const before = once ? await holding(await this.head(v.model)) : undefined;
    if (before !== undefined) return { version: before, registered: false };
    checkDistribution(v);
    await checkModelBytes(`${v.model} (new version)`, v.onnx, v.features);
    const createdAt = this.now();
    // The key-value create is the claim on a version number: a racing register takes the next one.
    let version = highest((await this.head(v.model)).stages) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        // Stored without its stage: stages live in the change stream.
        await this.kv.create(this.manifestKey(v.model, version), JSON.stringify({ ...newManifest(v, version, createdAt), stage: undefined }));
        break;
      } catch (err) {
        if (!isConflict(err)) throw err;
        if (attempt >= this.maxAttempts) throw contended(v.model, attempt, err);
        version++;
      }
    }
    await this.objects.putBlob({ name: this.objectName(v.model, version) }, v.onnx);
    let found: ModelVersion | undefined;
    await this.change(
      v.model,
      async (head) => {
        found = once ? await holding(head) : undefined;
        return found !== undefined ? [] : [{ model: v.model, version, action: "register", from: null, to: "None", ...by }];
      },
      createdAt,
    );
    return found !== undefined ? { version: found, registered: false } : { version: newManifest(v, version, createdAt), registered: true };
  }


  /**
   * Plans against the model's newest stages and appends the change only if
   * no other change landed in between; otherwise plans again. A plan that is
   * no longer allowed (another node already moved the version) is refused
   * as it would be on one node. A plan with no moves writes nothing.
   */
  private async change(model: string, plan: (head: Head) => StageMove[] | Promise<StageMove[]>, ts = this.now()): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.head(model);
      const moves = await plan(head);
      if (moves.length === 0) return;
      const stages = new Map(head.stages);
      for (const move of moves) stages.set(move.version, move.to);
      const change: Change = {
        entries: moves.map((move) => ({ ts, ...move })),
        stages: Object.fromEntries([...stages].map(([version, stage]) => [String(version), stage])),
      };
      try {
        await this.js.publish(this.subject(model), JSON.stringify(change), { expect: { lastSubjectSequence: head.seq } });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        if (attempt >= this.maxAttempts) throw contended(model, attempt, err);
        // A little jitter, so writers that keep colliding fall out of step.
        await delay(Math.random() * attempt);
      }
    }
  }

  private async head(model: string): Promise<Head> {
    const last = await this.jsm.streams.getMessage(this.stream, { last_by_subj: this.subject(model) });
    if (last === null) return { seq: 0, stages: new Map() };
    const change = parseChange(last.subject, last.data);
    return { seq: last.seq, stages: new Map(Object.entries(change.stages).map(([version, stage]) => [Number(version), stage])) };
  }

  private async readManifest(model: string, version: number, stage: Stage): Promise<ModelVersion> {
    const entry = await this.kv.get(this.manifestKey(model, version));
    if (entry === null || entry.operation !== "PUT") throw new VigilError("VIGIL_MODEL_CORRUPT", `${model} v${version}: its manifest is missing from the key-value bucket`);
    return parseManifest(model, version, entry.string(), stage);
  }

  private async modelNames(): Promise<string[]> {
    const info = await this.jsm.streams.info(this.stream, { subjects_filter: `${this.subjectPrefix}.>` });
    const prefix = `${this.subjectPrefix}.`;
    return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length)).sort();
  }

  private subject(model: string): string {
    return `${this.subjectPrefix}.${model}`;
  }

  private manifestKey(model: string, version: number): string {
    return `${model}.${versionLabel(version)}`;
  }

  private objectName(model: string, version: number): string {
    return `${model}/${versionLabel(version)}`;
  }
}

function parseChange(subject: string, data: Uint8Array): Change {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    throw new VigilError("VIGIL_MODEL_CORRUPT", `registry change on ${subject} is not JSON`, { cause: err });
  }
  const result = changeSchema.safeParse(parsed);
  if (!result.success) throw new VigilError("VIGIL_MODEL_CORRUPT", `registry change on ${subject} is invalid: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Another writer got there first: the expected last sequence no longer holds. */
function isConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}

function contended(model: string, attempts: number, cause: unknown): VigilError {
  return new VigilError("VIGIL_MODEL_REGISTRY_UNAVAILABLE", `${model}: other writers changed the model ${attempts} times while this change was planned; try again`, { cause });
}

function highest(stages: ReadonlyMap<number, Stage>): number {
  let max = 0;
  for (const version of stages.keys()) max = Math.max(max, version);
  return max;
}

function notFound(model: string, version: number): VigilError {
  return new VigilError("VIGIL_MODEL_NOT_FOUND", `no version ${version} of model "${model}"`);
}
