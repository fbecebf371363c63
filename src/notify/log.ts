/**
 * The notify part's logger: a child of the node's logger that censors the
 * keys secrets live under, wherever an object carrying one is logged. Belt
 * and braces: nothing logs such objects on purpose, and error texts are
 * scrubbed of secret values (secrets.ts) before they are logged.
 */
import type { Logger } from "../runtime/log.js";
import { REDACTED } from "./secrets.js";

export const REDACT_PATHS = [
  "secret", "*.secret", "password", "*.password", "pass", "*.pass", "key", "*.key",
  "auth", "*.auth", "headers", "*.headers", "urlSecret", "*.urlSecret",
];

export function notifyLogger(log: Logger): Logger {
  return log.child({ part: "notify" }, { redact: { paths: REDACT_PATHS, censor: REDACTED } });
}
