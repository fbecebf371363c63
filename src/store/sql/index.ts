/**
 * src/store/sql — the one way a value gets into SQL text. ClickHouse 18.16
 * has no server-side query parameters, so every literal and identifier in a
 * statement is produced here: string literals escaped, numbers checked
 * finite, identifiers whitelisted. Build statements with the `sql` tag.
 *
 * Must not depend on a database client or on any store: it only makes text.
 */
export { SqlText, sql, ident, qualified, joinSql, stringLiteral, numberLiteral } from "./literal.js";
export type { SqlValue } from "./literal.js";
