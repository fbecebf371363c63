/**
 * The actor kinds a system knows, with their declared policies filled in.
 * Kinds come from modules (so worker threads can import the same ones); each
 * module exports `kinds: ActorKind[]`.
 */
import { pathToFileURL } from "node:url";
import type { ActorKind, PassivationPolicy } from "./actor.js";
import { defaultPartitionKey } from "./actor.js";
import { BoundedMemo } from "./bounded-memo.js";
import { kindOf } from "./address.js";
import { VigilError } from "./errors.js";
import { DEFAULT_MAILBOX, type MailboxPolicy } from "./mailbox.js";
import { DEFAULT_SUPERVISION, type SupervisionPolicy } from "./supervision.js";

export interface RuntimeDefaults {
  mailbox: MailboxPolicy;
  supervision: SupervisionPolicy;
  passivation: PassivationPolicy;
}

export const DEFAULT_RUNTIME: RuntimeDefaults = {
  mailbox: DEFAULT_MAILBOX,
  supervision: DEFAULT_SUPERVISION,
  passivation: { idleMs: 5 * 60 * 1000 }, // 5 minutes
};

/** Counters kept per kind; plain numbers so the hot path never touches prom-client. */
export interface KindStats {
  processed: number;
  failures: number;
  restarts: number;
  stops: number;
  escalations: number;
  dropped: number;
  refused: number;
  /** Tells merged into a waiting message of the same key (ActorKind.coalesce) instead of queued. */
  coalesced: number;
  activations: number;
  passivations: number;
}

export function emptyKindStats(): KindStats {
  return { processed: 0, failures: 0, restarts: 0, stops: 0, escalations: 0, dropped: 0, refused: 0, coalesced: 0, activations: 0, passivations: 0 };
}

export interface KindEntry {
  readonly name: string;
  readonly kind: ActorKind;
  readonly mailbox: MailboxPolicy;
  readonly supervision: SupervisionPolicy;
  readonly passivation: PassivationPolicy;
  partitionKey(id: string): string;
  readonly stats: KindStats;
}

/** Addresses whose kind is remembered before the memory starts afresh (it bounds a node that meets ever new addresses). */
const MAX_REMEMBERED_ADDRESSES = 65_536;

export class KindRegistry {
  private readonly entries = new Map<string, KindEntry>();
  private readonly byAddress = new BoundedMemo<string, KindEntry>(MAX_REMEMBERED_ADDRESSES);

  constructor(
    kinds: readonly ActorKind[],
    private readonly defaults: RuntimeDefaults = DEFAULT_RUNTIME,
  ) {
    for (const kind of kinds) this.add(kind);
  }

  /** One more kind, its policies filled in from the defaults. VIGIL_CONFIG_INVALID when its name is taken. */
  add(kind: ActorKind): KindEntry {
    if (this.entries.has(kind.name)) {
      throw new VigilError("VIGIL_CONFIG_INVALID", `actor kind "${kind.name}" is defined twice`);
    }
    const { defaults } = this;
    const entry: KindEntry = {
      name: kind.name,
      kind,
      mailbox: { ...defaults.mailbox, ...kind.mailbox },
      supervision: kind.supervision ?? defaults.supervision,
      passivation: kind.passivation ?? defaults.passivation,
      partitionKey: kind.partitionKey?.bind(kind) ?? defaultPartitionKey,
      stats: emptyKindStats(),
    };
    this.entries.set(kind.name, entry);
    return entry;
  }

  get(name: string): KindEntry | undefined {
    return this.entries.get(name);
  }

  /**
   * The kind of an address. Remembered per address (kinds are only added, so
   * a known one never changes; an unknown one is not remembered): a shard
   * routes every message it sends, a sensor's update to its unit per reading,
   * and parsing the address cut a new string each time.
   */
  forAddress(address: string): KindEntry | undefined {
    let entry = this.byAddress.get(address);
    if (entry === undefined) {
      entry = this.entries.get(kindOf(address));
      if (entry === undefined) return undefined;
      this.byAddress.set(address, entry);
    }
    return entry;
  }

  all(): IterableIterator<KindEntry> {
    return this.entries.values();
  }
}

/**
 * Import kind modules (paths or file URLs). Each exports either `kinds` (an
 * array of actor kinds) or `createKinds(config)`, which receives the
 * system's `kindConfig` — plain data, so every worker builds the same kinds
 * from the same settings.
 */
export async function loadKindModules(modules: readonly string[], kindConfig: unknown = undefined): Promise<ActorKind[]> {
  const kinds: ActorKind[] = [];
  for (const spec of modules) {
    const url = spec.startsWith("file:") ? spec : pathToFileURL(spec).href;
    const mod = (await import(url)) as { kinds?: unknown; createKinds?: unknown };
    const list = typeof mod.createKinds === "function" ? (mod.createKinds as (config: unknown) => unknown)(kindConfig) : mod.kinds;
    if (!Array.isArray(list)) {
      throw new VigilError("VIGIL_CONFIG_INVALID", `actor kind module ${spec} exports neither "kinds" nor "createKinds(config)" returning an array of actor kinds`);
    }
    kinds.push(...(list as ActorKind[]));
  }
  return kinds;
}
