/**
 * The error `loadConfig` throws: a VigilError with code VIGIL_CONFIG_INVALID
 * whose message names every bad field, what it expects, the value it got and
 * where that value came from. `issues` carries the same facts for code.
 */
import { VigilError } from "../runtime/errors.js";

export interface ConfigIssue {
  /** Dotted path of the field, e.g. "runtime.workers" or "transport.nats.servers[1]"; "" for the file as a whole. */
  readonly path: string;
  /** What was wrong, in words: "expected a whole number >= 1, got \"abc\"". */
  readonly problem: string;
  /** Where the value came from: "defaults", "file ./vigil.json", "VIGIL_RUNTIME_WORKERS" or "--workers". */
  readonly source: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  return `${where}${issue.problem} (from ${issue.source})`;
}

export class ConfigInvalidError extends VigilError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super("VIGIL_CONFIG_INVALID", ConfigInvalidError.message(issues), options);
    this.name = "ConfigInvalidError";
    this.issues = issues;
  }

  private static message(issues: readonly ConfigIssue[]): string {
    const first = issues[0];
    if (issues.length === 1 && first !== undefined) return `invalid configuration: ${formatIssue(first)}`;
    return `invalid configuration (${issues.length} problems):\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`;
  }
}

/** Renders a value the way a user would have typed it, briefly. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  // Values come from JSON, env vars and flags, so JSON always renders them.
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
