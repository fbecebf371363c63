/**
 * The table of leaf settings, derived from the schema so it can never drift
 * from it: each setting's dotted path, its `VIGIL_*` environment variable and
 * how a string (from the environment or a flag) becomes its value.
 */
import { z } from "zod";
import { configSchema } from "./schema.js";
import type { VigilConfig } from "./schema.js";

/** How a string from the environment or the command line is read. */
export type SettingKind = "number" | "boolean" | "list" | "numbers" | "string";

export interface Setting {
  /** e.g. "runtime.mailboxCapacity" */
  readonly path: string;
  /** e.g. "VIGIL_RUNTIME_MAILBOX_CAPACITY" */
  readonly env: string;
  readonly kind: SettingKind;
}

/** Dotted paths of every leaf in `VigilConfig`, e.g. "runtime.workers". */
export type ConfigPath = LeafPaths<VigilConfig>;

type LeafPaths<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends readonly unknown[]
    ? `${Prefix}${K}`
    : T[K] extends object
      ? LeafPaths<T[K], `${Prefix}${K}.`>
      : `${Prefix}${K}`;
}[keyof T & string];

export const ENV_PREFIX = "VIGIL_";

/** "mailboxCapacity" → "MAILBOX_CAPACITY" */
function screamingSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function kindOf(schema: z.ZodType): SettingKind {
  if (schema instanceof z.ZodNumber) return "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodArray) return schema.element instanceof z.ZodNumber ? "numbers" : "list";
  return "string";
}

/** A list whose items are objects (or unions of them), not scalars. */
function isListOfRecords(schema: z.ZodType): boolean {
  if (!(schema instanceof z.ZodArray)) return false;
  const item = schema.element as z.ZodType;
  return item instanceof z.ZodObject || item instanceof z.ZodUnion;
}

function collect(schema: z.ZodObject, path: string[], out: Setting[]): void {
  for (const [key, child] of Object.entries(schema.shape)) {
    const childPath = [...path, key];
    if (child instanceof z.ZodObject) {
      collect(child, childPath, out);
    } else if (isListOfRecords(child as z.ZodType) || child instanceof z.ZodRecord) {
      // e.g. mqtt.topics, pipeline.sensorTypes: no sensible comma-separated form, so set in the config file only.
      continue;
    } else {
      out.push({
        path: childPath.join("."),
        env: ENV_PREFIX + childPath.map(screamingSnake).join("_"),
        kind: kindOf(child as z.ZodType),
      });
    }
  }
}

function buildSettings(): readonly Setting[] {
  const out: Setting[] = [];
  collect(configSchema, [], out);
  const seen = new Set<string>();
  for (const s of out) {
    // e.g. `a.bC` and `aB.c` would both be VIGIL_A_B_C: a schema bug, caught at load.
    if (seen.has(s.env)) throw new Error(`config schema: two settings map to ${s.env}`);
    seen.add(s.env);
  }
  return out;
}

export const SETTINGS: readonly Setting[] = buildSettings();

const byEnv = new Map(SETTINGS.map((s) => [s.env, s]));
const byPath = new Map(SETTINGS.map((s) => [s.path, s]));

export function settingForEnv(name: string): Setting | undefined {
  return byEnv.get(name);
}

export function settingForPath(path: ConfigPath): Setting {
  const s = byPath.get(path);
  if (s === undefined) throw new Error(`config: no setting at ${path}`);
  return s;
}

/** Section names, e.g. "RUNTIME": a `VIGIL_RUNTIME_*` variable is meant as config. */
export const ENV_SECTIONS: readonly string[] = Object.keys(configSchema.shape).map(
  (k) => ENV_PREFIX + screamingSnake(k) + "_",
);

/**
 * Reads a string as the setting's kind. A string that does not parse is
 * returned unchanged, so validation reports it as given.
 */
export function fromString(kind: SettingKind, raw: string): unknown {
  const s = raw.trim();
  switch (kind) {
    case "number":
      return s !== "" && Number.isFinite(Number(s)) ? Number(s) : raw;
    case "boolean":
      if (["true", "1", "yes", "on"].includes(s.toLowerCase())) return true;
      if (["false", "0", "no", "off"].includes(s.toLowerCase())) return false;
      return raw;
    case "list":
      return s
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "");
    case "numbers":
      // Items that are not numbers stay strings, so validation reports them as given.
      return s
        .split(",")
        .map((item) => item.trim())
        .filter((item) => item !== "")
        .map((item) => (Number.isFinite(Number(item)) ? Number(item) : item));
    case "string":
      return s;
  }
}
