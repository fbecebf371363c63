/**
 * Field builders for the config schema. Each one carries a single plain-words
 * description of what it accepts ("a whole number >= 1"), used as the message
 * of every issue the field can raise, so a validation error always reads
 * `path: expected <description>, got <value> (from <source>)` no matter which
 * check failed.
 */
import { z } from "zod";

/** A whole number within [min, max]. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const error = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** Any number within [min, max] (coordinates, ratings). */
export function numberBetween(min: number, max: number) {
  const error = `a number from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A duration in whole milliseconds, at least `minMs`. */
export function durationMs(minMs = 1) {
  const error = `a whole number of milliseconds >= ${minMs}`;
  return z.number({ error }).int({ error }).min(minMs, { error });
}

/** A TCP port; 0 asks the OS for a free one (handy in tests and on shared hosts). */
export function port() {
  return wholeNumber(0, 65_535);
}

export function flag() {
  return z.boolean({ error: "true or false" });
}

export function text() {
  const error = "a non-empty string";
  return z.string({ error }).min(1, { error });
}

/** A string matching `pattern`, described in words for the error message. */
export function textMatching(pattern: RegExp, description: string) {
  return z.string({ error: description }).regex(pattern, { error: description });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

/** A non-empty list; in env vars and flags it is written comma-separated. */
export function listOf<T extends z.ZodType>(item: T, itemsDescription: string) {
  return z.array(item, { error: `a list of ${itemsDescription}` }).min(1, { error: `a non-empty list of ${itemsDescription}` });
}

/**
 * A config section. Strict, because a misspelt key in a config file must be an
 * error rather than a setting that silently keeps its default.
 */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: "an object" });
}
