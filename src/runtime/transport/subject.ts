/**
 * Subject validation shared by every transport, so both implementations reject
 * exactly the same subjects (NATS itself only refuses empty subjects and
 * whitespace client-side, and would silently treat `a*` as a literal).
 *
 * Rules: dot-separated non-empty tokens, no whitespace. Publish subjects
 * contain no wildcard characters at all. Subscribe subjects may use `*` and
 * `>` as whole tokens only, `>` only as the last token.
 */

import { VigilError } from "../errors.js";

const DOT = 0x2e;
const STAR = 0x2a;
const GT = 0x3e;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function invalid(subject: string, why: string): VigilError {
  return new VigilError("VIGIL_TRANSPORT_SUBJECT_INVALID", `invalid subject ${JSON.stringify(subject)}: ${why}`);
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/**
 * Throws VIGIL_TRANSPORT_SUBJECT_INVALID unless `subject` is a literal
 * subject. A single pass over the characters: it runs on every publish.
 */
export function assertPublishSubject(subject: string): void {
  const n = subject.length;
  if (n === 0) throw invalid(subject, "empty");
  let prev = DOT; // a leading dot is an empty first token
  for (let i = 0; i < n; i++) {
    const c = subject.charCodeAt(i);
    if (c === DOT && prev === DOT) throw invalid(subject, "empty token");
    if (c === STAR || c === GT) throw invalid(subject, "wildcards are not allowed when publishing");
    if (isWhitespace(c)) throw invalid(subject, "whitespace");
    prev = c;
  }
  if (prev === DOT) throw invalid(subject, "empty token");
}

/**
 * Throws VIGIL_TRANSPORT_SUBJECT_INVALID unless `subject` is a valid
 * subscription subject; returns its tokens (callers index on them).
 */
export function parseSubscribeSubject(subject: string): string[] {
  if (subject.length === 0) throw invalid(subject, "empty");
  const tokens = subject.split(".");
  const last = tokens.length - 1;
  for (let t = 0; t <= last; t++) {
    const token = tokens[t] as string;
    if (token.length === 0) throw invalid(subject, "empty token");
    for (let i = 0; i < token.length; i++) {
      const c = token.charCodeAt(i);
      if (isWhitespace(c)) throw invalid(subject, "whitespace");
      if ((c === STAR || c === GT) && token.length !== 1) {
        throw invalid(subject, "wildcards must be whole tokens");
      }
    }
    if (token === ">" && t !== last) throw invalid(subject, "'>' must be the last token");
  }
  return tokens;
}

/** Queue group names follow the rules of literal subjects (as in NATS). */
export function assertQueueName(queue: string): void {
  try {
    assertPublishSubject(queue);
  } catch {
    throw new VigilError(
      "VIGIL_TRANSPORT_SUBJECT_INVALID",
      `invalid queue group name ${JSON.stringify(queue)}: it must be a literal subject`,
    );
  }
}
