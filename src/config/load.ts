/**
 * `loadConfig` builds a node's configuration from, lowest precedence first:
 *
 *   1. `defaults` (defaults.ts)
 *   2. a config file: JSON only, one object shaped like `VigilConfig`, any
 *      subset of fields. (JSON keeps the node free of a YAML parser and its
 *      surprises; unknown keys are errors, so typos cannot hide.)
 *   3. environment variables `VIGIL_<SECTION>_<FIELD>`, e.g.
 *      `VIGIL_RUNTIME_WORKERS=4`, `VIGIL_TRANSPORT_NATS_SERVERS=nats://a:4222,nats://b:4222`.
 *      Lists are comma-separated; booleans are true/false/1/0/yes/no/on/off;
 *      an empty variable counts as unset. A `VIGIL_<SECTION>_*` variable that
 *      names no setting is an error; other `VIGIL_*` variables are ignored.
 *   4. command-line flags, passed in by the CLI as strings.
 *
 * The merged result is validated once; every problem is reported together in
 * one ConfigInvalidError. The returned config is frozen.
 */
import { readFileSync } from "node:fs";
import { defaults } from "./defaults.js";
import { deepFreeze } from "./freeze.js";
import { ConfigInvalidError, showValue } from "./errors.js";
import type { ConfigIssue } from "./errors.js";
import { describeSource, Layers } from "./layers.js";
import { configSchema } from "./schema.js";
import type { VigilConfig } from "./schema.js";
import { ENV_PREFIX, ENV_SECTIONS, fromString, SETTINGS, settingForEnv, settingForPath } from "./settings.js";
import type { ConfigPath } from "./settings.js";
import { closest } from "./suggest.js";

/** One command-line flag's raw value and the setting it overrides. */
export interface FlagValue {
  /** As the user typed it, for error messages, e.g. "--workers". */
  readonly flag: string;
  readonly path: ConfigPath;
  readonly value: string;
}

export interface LoadConfigOptions {
  /** Path of a JSON config file; none when undefined. */
  readonly file?: string | undefined;
  /** Usually `process.env`; only `VIGIL_*` variables are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly flags?: readonly FlagValue[];
}

export function loadConfig(options: LoadConfigOptions): VigilConfig {
  const layers = new Layers(defaults);
  if (options.file !== undefined) layers.mergeTree(readConfigFile(options.file), { kind: "file", file: options.file });
  const issues = applyEnv(layers, options.env);
  for (const f of options.flags ?? []) {
    const setting = settingForPath(f.path);
    layers.set(setting.path.split("."), fromString(setting.kind, f.value), { kind: "flag", name: f.flag });
  }

  const result = configSchema.safeParse(layers.values);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push(...describeIssue(issue, layers));
  }
  if (issues.length > 0 || !result.success) throw new ConfigInvalidError(issues);
  return deepFreeze(result.data);
}

function readConfigFile(file: string): Record<string, unknown> {
  const source = `file ${file}`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(err);
    throw new ConfigInvalidError([{ path: "", problem: `cannot read the config file: ${reason}`, source }], { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // V8 quotes the offending text, newlines and all; keep the message on one line.
    const reason = (err as Error).message.replace(/\s+/g, " ");
    throw new ConfigInvalidError([{ path: "", problem: `expected JSON, but ${reason}`, source }], { cause: err });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigInvalidError([{ path: "", problem: `expected a JSON object, got ${showValue(parsed)}`, source }]);
  }
  return parsed as Record<string, unknown>;
}

function applyEnv(layers: Layers, env: LoadConfigOptions["env"]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // Sorted, so that errors come out in a stable order.
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === "") continue;
    const setting = settingForEnv(name);
    if (setting !== undefined) {
      layers.set(setting.path.split("."), fromString(setting.kind, value), { kind: "env", name });
    } else if (ENV_SECTIONS.some((prefix) => name.startsWith(prefix))) {
      const guess = closest(name, SETTINGS.map((s) => s.env));
      const hint = guess === undefined ? "" : `; did you mean ${guess}?`;
      issues.push({ path: name, problem: `not a Vigil setting${hint}`, source: "environment" });
    }
  }
  return issues;
}

interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
}

function describeIssue(issue: ZodIssueLike, layers: Layers): ConfigIssue[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys" && issue.keys !== undefined) {
    const known = Object.keys(shapeAt(path));
    return issue.keys.map((key) => {
      const guess = closest(key, known);
      const hint = guess === undefined ? `; expected one of: ${known.join(", ")}` : `; did you mean "${guess}"?`;
      return {
        path: formatPath([...path, key]),
        problem: `unknown key${hint}`,
        source: describeSource(layers.sourceOf([...path, key])),
      };
    });
  }
  return [
    {
      path: formatPath(path),
      problem: `expected ${issue.message}, got ${showValue(layers.valueAt(path))}`,
      source: describeSource(layers.sourceOf(path)),
    },
  ];
}

/** The keys the defaults have at `path`: the keys the schema allows there. */
function shapeAt(path: readonly (string | number)[]): Record<string, unknown> {
  let node: unknown = defaults;
  for (const key of path) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === "object" && node !== null ? (node as Record<string, unknown>) : {};
}

/** ["transport", "nats", "servers", 1] → "transport.nats.servers[1]" */
function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, p) => (typeof p === "number" ? `${out}[${p}]` : out === "" ? p : `${out}.${p}`), "");
}
