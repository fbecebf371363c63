/**
 * The SQL escaping helper: what text it makes, what it refuses, and — the
 * proof that matters — that ClickHouse (the harness's 18.16) reads every
 * literal back as exactly the value that went in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isVigilError } from "../../src/runtime/errors.js";
import { ClickHouseConnection } from "../../src/store/clickhouse/connection.js";
import { ident, joinSql, numberLiteral, qualified, sql, stringLiteral, type SqlValue } from "../../src/store/sql/index.js";
import { startClickHouse, type ServerHandle } from "../harness/servers.js";

function refusal(make: () => unknown): unknown {
  try {
    make();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("sql literals", () => {
  it("quotes a string and escapes quotes, backslashes and control characters", () => {
    expect(stringLiteral("it's a \\ path\n\t\0")).toBe("'it\\'s a \\\\ path\\n\\t\\0'");
    expect(stringLiteral("\u0001\u007f")).toBe("'\\x01\\x7f'");
  });

  it("leaves non-ASCII text as it is", () => {
    expect(stringLiteral("température 温度 🚀")).toBe("'température 温度 🚀'");
  });

  it("refuses NaN and infinities as numbers", () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(isVigilError(refusal(() => numberLiteral(n)), "VIGIL_STORE_SQL_INVALID")).toBe(true);
    }
  });

  it("parenthesises negative numbers so `a - ${n}` can never become a comment", () => {
    expect(sql`a - ${-1}`.text).toBe("a - (-1)");
  });

  it("makes a parenthesised list for IN and refuses an empty one", () => {
    expect(sql`unit IN ${["A", "it's"]}`.text).toBe("unit IN ('A', 'it\\'s')");
    expect(isVigilError(refusal(() => sql`unit IN ${[]}`), "VIGIL_STORE_SQL_INVALID")).toBe(true);
  });

  it("splices nested sql text as it is and escapes everything else", () => {
    const where = joinSql([sql`unit = ${"U'1"}`, sql`ts >= ${5}`], " AND ");
    expect(sql`SELECT 1 WHERE ${where}`.text).toBe("SELECT 1 WHERE unit = 'U\\'1' AND ts >= 5");
  });

  it("refuses values that are neither strings, numbers, booleans, lists nor sql text", () => {
    const sneaky = { toString: () => "1; DROP TABLE x" } as unknown as SqlValue;
    expect(isVigilError(refusal(() => sql`SELECT ${sneaky}`), "VIGIL_STORE_SQL_INVALID")).toBe(true);
  });
});

describe("sql identifiers", () => {
  it("back-quotes a plain identifier and a qualified table", () => {
    expect(ident("raw_readings").text).toBe("`raw_readings`");
    expect(qualified("vigil", "raw_readings").text).toBe("`vigil`.`raw_readings`");
  });

  it("refuses identifiers that are not letters, digits and '_'", () => {
    for (const name of ["", "1st", "a-b", "a`b", "a b", "a.b", "tëst", "x;DROP"]) {
      expect(isVigilError(refusal(() => ident(name)), "VIGIL_STORE_SQL_INVALID")).toBe(true);
    }
  });
});

describe("sql literals read back by ClickHouse", () => {
  let server: ServerHandle;
  let conn: ClickHouseConnection;

  beforeAll(async () => {
    server = await startClickHouse();
    conn = new ClickHouseConnection({ url: server.url, username: "default", password: "" });
  });

  afterAll(async () => {
    await conn?.close();
    await server?.stop();
  });

  it("reads back every one-character string from U+0000 to U+00FF, and awkward text, unchanged", async () => {
    const strings = [
      ...Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)),
      "it's",
      "\\'",
      "trailing\\",
      "'); DROP TABLE t; --",
      "/* not a comment */",
      "température 温度 🚀",
      "\\x41 \\n literally",
    ];
    const got = await conn.rows<{ s: string }>(joinSql(strings.map((s) => sql`SELECT ${s} AS s`), " UNION ALL "));
    expect(got.map((r) => r.s).sort()).toEqual([...strings].sort());
  });

  it("reads back numbers unchanged", async () => {
    const numbers = [0, -1, 1.5, -2.25, 0.1 + 0.2, 1e-300, 1.7976931348623157e308, 1_767_225_600_000, -9_007_199_254_740_991];
    for (const n of numbers) {
      const [row] = await conn.rows<{ n: number }>(sql`SELECT toFloat64(${n}) AS n`);
      expect(row?.n).toBe(n);
    }
  });
});
