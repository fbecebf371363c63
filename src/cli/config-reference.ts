/**
 * The configuration reference (docs/configuration.md), rendered from the one
 * config schema's JSON Schema (`z.toJSONSchema`): every key with its type,
 * default, environment variable or flags, and the description the schema
 * carries. Generated, never written by hand, so it cannot drift from what a
 * node accepts; a spec compares the committed file with this output.
 */
import { z } from "zod";
import { configSchema, defaults, SETTINGS } from "../config/index.js";
import { SETTING_FLAGS as IMPORT_FLAGS } from "./commands/import.js";
import { SETTING_FLAGS as NOTIFY_FLAGS } from "./commands/notify.js";
import { SETTING_FLAGS as SIMULATE_FLAGS } from "./commands/simulate.js";
import { SETTING_FLAGS as START_FLAGS } from "./commands/start.js";
import type { SettingFlag } from "./setting-flags.js";

/** The slice of JSON Schema that `z.toJSONSchema` produces for the config. */
interface JsonSchema {
  readonly type?: string;
  readonly description?: string;
  /** Ours (schema `.meta`): the default in words, where the value depends on the machine. */
  readonly defaultText?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly minItems?: number;
  readonly pattern?: string;
}

export interface ConfigKey {
  /** e.g. "runtime.mailboxCapacity" */
  readonly path: string;
  readonly type: string;
  /** Markdown. */
  readonly defaultValue: string;
  /** `VIGIL_*` variable, or undefined for keys set in the config file only. */
  readonly env: string | undefined;
  /** e.g. ["`vigil start --workers`"] */
  readonly flags: readonly string[];
  /** Empty when the schema has none (a spec requires one for every key). */
  readonly description: string;
}

interface Section {
  readonly name: string;
  readonly description: string;
  /** Descriptions of nested groups, e.g. pipeline.sensor. */
  readonly groups: readonly { path: string; description: string }[];
  readonly keys: readonly ConfigKey[];
}

const COMMAND_FLAGS: readonly { command: string; flags: readonly SettingFlag[] }[] = [
  { command: "start", flags: START_FLAGS },
  { command: "simulate", flags: SIMULATE_FLAGS },
  { command: "import", flags: IMPORT_FLAGS },
  { command: "notify", flags: NOTIFY_FLAGS },
];

/** The schema as JSON Schema, input side: what a config file may hold. */
function jsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** Every key of the config, section by section, in schema order. */
export function configSections(): Section[] {
  const root = jsonSchema();
  return Object.entries(root.properties ?? {}).map(([name, node]) => {
    const keys: ConfigKey[] = [];
    const groups: { path: string; description: string }[] = [];
    collect(node, [name], keys, groups);
    return { name, description: node.description ?? "", groups, keys };
  });
}

function isSection(node: JsonSchema): boolean {
  return node.type === "object" && node.properties !== undefined;
}

function collect(node: JsonSchema, path: readonly string[], keys: ConfigKey[], groups: { path: string; description: string }[]): void {
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const childPath = [...path, name];
    if (isSection(child)) {
      if (child.description !== undefined) groups.push({ path: childPath.join("."), description: child.description });
      collect(child, childPath, keys, groups);
    } else {
      keys.push(describeKey(childPath, child));
    }
  }
}

function describeKey(path: readonly string[], node: JsonSchema): ConfigKey {
  const dotted = path.join(".");
  const setting = SETTINGS.find((s) => s.path === dotted);
  const flags = COMMAND_FLAGS.flatMap(({ command, flags }) =>
    flags.filter((f) => f.path === dotted).map((f) => `\`vigil ${command} ${f.flags.split(" ")[0] ?? f.flags}\``),
  );
  const name = path[path.length - 1] ?? "";
  return {
    path: dotted,
    type: typeText(node) + unitSuffix(name, node),
    defaultValue: node.defaultText ?? defaultText(name, valueAt(defaults, path)),
    env: setting?.env,
    flags,
    description: node.description ?? "",
  };
}

function valueAt(tree: unknown, path: readonly string[]): unknown {
  let v = tree;
  for (const key of path) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** The accepted values in words, e.g. `integer 0…65535`, `"nats" \| "in-process"`. */
export function typeText(node: JsonSchema): string {
  if (node.enum !== undefined) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" | ");
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives !== undefined) return alternatives.map(typeText).join(" | ");
  switch (node.type) {
    case "boolean":
      return "boolean";
    case "integer":
    case "number":
      return node.type + rangeText(node);
    case "string":
      if (node.pattern !== undefined) return `string matching \`${node.pattern}\``;
      return node.minLength !== undefined && node.minLength > 0 ? "non-empty string" : "string";
    case "array": {
      const items = node.items;
      const what = items === undefined ? "values" : isSection(items) || items.oneOf !== undefined || items.anyOf !== undefined ? "objects" : plural(typeText(items));
      return `${node.minItems !== undefined && node.minItems > 0 ? "non-empty " : ""}list of ${what}`;
    }
    case "object": {
      const value = typeof node.additionalProperties === "object" ? node.additionalProperties : undefined;
      return `map of name → ${value?.type === "array" ? typeText(value) : "object"}`;
    }
    default:
      return "any";
  }
}

/** "string matching …" → "strings matching …", "integer ≥ 1" → "integers ≥ 1". */
function plural(type: string): string {
  return type.replace(/^(non-empty )?(string|integer|number|boolean)\b/, "$1$2s");
}

function rangeText(node: JsonSchema): string {
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  const low = node.exclusiveMinimum !== undefined ? { value: node.exclusiveMinimum, open: true } : node.minimum !== undefined ? { value: node.minimum, open: false } : undefined;
  const high = node.exclusiveMaximum !== undefined ? { value: node.exclusiveMaximum, open: true } : max !== undefined ? { value: max, open: false } : undefined;
  if (low !== undefined && high !== undefined) return ` in ${low.open ? "(" : "["}${low.value}, ${high.value}${high.open ? ")" : "]"}`;
  if (low !== undefined) return ` ${low.open ? ">" : "≥"} ${low.value}`;
  if (high !== undefined) return ` ${high.open ? "<" : "≤"} ${high.value}`;
  return "";
}

const UNIT_SUFFIXES: readonly [RegExp, string][] = [
  [/(^m|M)s$/, "ms"],
  [/Sec$/, "seconds"],
  [/Days$/, "days"],
  [/Bytes$/, "bytes"],
];

function unitSuffix(name: string, node: JsonSchema): string {
  const numeric = node.type === "integer" || node.type === "number" || node.items?.type === "integer";
  const unit = UNIT_SUFFIXES.find(([pattern]) => pattern.test(name))?.[1];
  return numeric && unit !== undefined ? `, ${unit}` : "";
}

const DURATIONS: readonly [number, string][] = [
  [24 * 60 * 60 * 1000, "day"],
  [60 * 60 * 1000, "h"],
  [60 * 1000, "min"],
  [1000, "s"],
];

/** The default as JSON, with milliseconds and bytes also in words: `300000` (5 min). */
function defaultText(name: string, value: unknown): string {
  const json = `\`${JSON.stringify(value)}\``;
  if (typeof value !== "number" || value === 0) return json;
  if (/(^m|M)s$/.test(name)) {
    const unit = DURATIONS.find(([ms]) => value % ms === 0);
    if (unit === undefined) return json;
    const n = value / unit[0];
    const word = unit[1] === "day" && n !== 1 ? "days" : unit[1];
    return `${json} (${n} ${word})`;
  }
  if (/Bytes$/.test(name) && value % 1024 === 0) return value % (1024 * 1024) === 0 ? `${json} (${value / 1024 / 1024} MiB)` : `${json} (${value / 1024} KiB)`;
  return json;
}

/** One table cell: a `|` would end it. */
function cell(text: string): string {
  return text.replace(/\n/g, " ").replace(/\|/g, "\\|");
}

function sourceText(key: ConfigKey): string {
  const parts = key.env === undefined ? ["config file only"] : [`\`${key.env}\``];
  return [...parts, ...key.flags].join("<br>");
}

/** docs/configuration.md */
export function renderConfigReference(): string {
  const out: string[] = [
    "# Configuration reference",
    "",
    "<!-- Generated by `npm run docs:config` from src/config/schema.ts. Do not edit by hand: a spec fails when this file is stale. -->",
    "",
    "Every setting of a Vigil node, from the one config schema (`src/config/schema.ts`). Values are layered,",
    "later wins: the defaults below < a JSON config file (`vigil start --config vigil.json`, any subset of the",
    "keys) < `VIGIL_*` environment variables < command-line flags. A variable is named after the key's path",
    "(`runtime.mailboxCapacity` is `VIGIL_RUNTIME_MAILBOX_CAPACITY`); lists are comma-separated in variables",
    "and flags, booleans are `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), and an empty variable",
    "counts as unset. Lists of objects and maps are set in the config file only. Unknown keys and bad values",
    "stop the node at start with a message naming the key and where the value came from.",
    "",
    "Sections: " + configSections().map((s) => `[\`${s.name}\`](#${s.name})`).join(", ") + ".",
    "",
  ];
  for (const section of configSections()) {
    out.push(`## ${section.name}`, "");
    if (section.description !== "") out.push(section.description, "");
    for (const group of section.groups) out.push(`- \`${group.path}\`: ${group.description}`);
    if (section.groups.length > 0) out.push("");
    out.push("| key | type | default | variable / flag | meaning |", "|---|---|---|---|---|");
    for (const key of section.keys) {
      out.push(`| \`${key.path}\` | ${cell(key.type)} | ${cell(key.defaultValue)} | ${cell(sourceText(key))} | ${cell(key.description)} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
