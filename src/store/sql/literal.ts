/**
 * SQL text built from a template and escaped values.
 *
 * `sql\`SELECT * FROM ${ident(table)} WHERE unit = ${unit} AND ts >= ${from}\``
 * — a string becomes a quoted, escaped literal; a number a checked numeric
 * literal; a list a parenthesised list for IN; an `SqlText` (from `sql`,
 * `ident`, `joinSql`) is spliced in as is. Nothing else can be interpolated,
 * so a value can only reach the text through the escaping below.
 *
 * Escaping follows ClickHouse's string literal rules (backslash escapes
 * inside single quotes), which standard-SQL engines reading `''` do not
 * share: this module is for ClickHouse statements.
 */
import { VigilError } from "../../runtime/errors.js";

/** A piece of SQL text that is already safe to splice. */
export class SqlText {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type SqlValue = string | number | boolean | SqlText | readonly (string | number)[];

/** Letters, digits and '_', not starting with a digit: no quoting trick can hide in it. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Control characters and the two that end or escape a literal. */
const ESCAPES: Record<string, string> = {
  "\\": "\\\\",
  "'": "\\'",
  "\0": "\\0",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

function escapeChar(c: string): string {
  return ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

/** A ClickHouse string literal: `it's` → `'it\'s'`. Non-ASCII text passes through as UTF-8. */
export function stringLiteral(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  return `'${s.replace(/[\\'\u0000-\u001f\u007f]/g, escapeChar)}'`;
}

/** A numeric literal; NaN and ±Infinity have no safe spelling, so they are refused. */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new VigilError("VIGIL_STORE_SQL_INVALID", `a SQL number must be finite, got ${n}`);
  // Parenthesised when negative so `a - ${n}` never reads as a comment (`--`).
  return n < 0 || Object.is(n, -0) ? `(${String(n)})` : String(n);
}

function literal(v: SqlValue): string {
  if (v instanceof SqlText) return v.text;
  if (typeof v === "string") return stringLiteral(v);
  if (typeof v === "number") return numberLiteral(v);
  if (typeof v === "boolean") return v ? "1" : "0";
  if (Array.isArray(v)) {
    if (v.length === 0) throw new VigilError("VIGIL_STORE_SQL_INVALID", "a SQL list must not be empty (IN () is not valid SQL)");
    return `(${v.map((item: string | number) => literal(item)).join(", ")})`;
  }
  throw new VigilError("VIGIL_STORE_SQL_INVALID", `cannot put a ${typeof v} into SQL text`);
}

/** The template tag: escapes every interpolated value. */
export function sql(strings: TemplateStringsArray, ...values: readonly SqlValue[]): SqlText {
  let text = strings[0] ?? "";
  values.forEach((v, i) => {
    text += literal(v) + (strings[i + 1] ?? "");
  });
  return new SqlText(text);
}

/** A whitelisted identifier (database, table, column), back-quoted. */
export function ident(name: string): SqlText {
  if (!IDENTIFIER.test(name)) {
    throw new VigilError("VIGIL_STORE_SQL_INVALID", `not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  return new SqlText(`\`${name}\``);
}

/** `database`.`table` */
export function qualified(database: string, table: string): SqlText {
  return new SqlText(`${ident(database).text}.${ident(table).text}`);
}

/** Joins fragments, e.g. optional WHERE conditions with " AND ". */
export function joinSql(parts: readonly SqlText[], separator: " AND " | " OR " | ", " | " UNION ALL "): SqlText {
  return new SqlText(parts.map((p) => p.text).join(separator));
}
