/**
 * Secrets by name: HMAC keys, the Slack URL, SMTP and MQTT passwords. Config
 * holds only their names; the values come from the environment or from a
 * secrets file (a JSON object of strings, or `.env` lines `NAME=value`), the
 * environment winning, so an operator can override one value without
 * editing the file.
 *
 * Values never reach a log line: `scrub()` replaces every value this object
 * handed out in any text before it is logged or written to a dead letter
 * (error messages of HTTP and SMTP libraries may quote what they were given).
 */
import { readFile } from "node:fs/promises";
import { VigilError } from "../runtime/errors.js";

export const REDACTED = "[redacted]";

export class Secrets {
  private readonly used = new Set<string>();

  private constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly file: ReadonlyMap<string, string>,
    private readonly fileName: string,
  ) {}

  /** Reads the secrets file (empty path: none) once; the environment is read on each lookup. */
  static async load(path: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Secrets> {
    if (path === "") return new Secrets(env, new Map(), "");
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new VigilError("VIGIL_NOTIFY_SECRETS_FILE_INVALID", `notify.secretsFile ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    return new Secrets(env, parseSecretsFile(text, path), path);
  }

  /** The value of a named secret; a missing or empty one is a start-up error naming where it was looked for. */
  get(name: string, usedBy: string): string {
    const value = this.env[name] ?? this.file.get(name);
    if (value === undefined || value === "") {
      const where = this.fileName === "" ? "the environment (no notify.secretsFile is set)" : `the environment or ${this.fileName}`;
      throw new VigilError("VIGIL_NOTIFY_SECRET_MISSING", `${usedBy}: secret ${name} is not set in ${where}`);
    }
    this.used.add(value);
    return value;
  }

  /** `text` with every secret value handed out so far replaced by "[redacted]". */
  scrub(text: string): string {
    let out = text;
    for (const value of this.used) out = out.split(value).join(REDACTED);
    return out;
  }
}

/** A JSON object of strings, or `.env` lines (`NAME=value`, `export NAME=value`, `#` comments, quoted values). */
function parseSecretsFile(text: string, path: string): Map<string, string> {
  const invalid = (why: string) => new VigilError("VIGIL_NOTIFY_SECRETS_FILE_INVALID", `notify.secretsFile ${path}: ${why}`);
  if (text.trimStart().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's message quotes the text near the error, which may be a secret.
      throw invalid("not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("expected a JSON object of strings");
    const out = new Map<string, string>();
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== "string") throw invalid(`the value of ${k} is not a string`);
      out.set(k, v);
    }
    return out;
  }
  const out = new Map<string, string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) throw invalid(`line ${i + 1} is not NAME=value`); // never quote the line: it may hold a secret
    const [, name = "", value = ""] = match;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    out.set(name, quoted === null ? value : (quoted[2] ?? ""));
  }
  return out;
}
