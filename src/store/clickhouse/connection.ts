/**
 * The few calls the store makes over ClickHouse's HTTP interface, through
 * @clickhouse/client. Checked against ClickHouse 18.16: the client sends no
 * setting that server does not know unless asked, so only settings that
 * exist there are set below. Statements arrive as SqlText (src/store/sql),
 * so nothing reaches the server unescaped; rows are sent as JSONEachRow in
 * the request body, which needs no SQL escaping at all.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { VigilError } from "../../runtime/errors.js";
import type { SqlText } from "../sql/index.js";

export interface ClickHouseConnectionOptions {
  url: string;
  username: string;
  password: string;
  /** Per request. */
  requestTimeoutMs?: number;
}

export class ClickHouseConnection {
  private readonly client: ClickHouseClient;

  constructor(options: ClickHouseConnectionOptions) {
    this.client = createClient({
      url: options.url,
      username: options.username,
      password: options.password,
      request_timeout: options.requestTimeoutMs ?? 30_000,
      // Every failure is thrown to the caller as VIGIL_STORE_QUERY_FAILED; the client's own console logging would say it twice.
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: {
        // Int64 columns (epoch ms) as JSON numbers rather than strings; exact below 2^53.
        output_format_json_quote_64bit_integers: 0,
      },
    });
  }

  async exec(statement: SqlText): Promise<void> {
    try {
      await this.client.command({ query: statement.text });
    } catch (err) {
      throw failed(statement.text, err);
    }
  }

  async rows<T>(statement: SqlText): Promise<T[]> {
    try {
      const result = await this.client.query({ query: statement.text, format: "JSONEachRow" });
      return await result.json<T>();
    } catch (err) {
      throw failed(statement.text, err);
    }
  }

  /** `table` is a qualified, whitelisted name (SqlText). */
  async insert(table: SqlText, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table: table.text, values: rows, format: "JSONEachRow" });
    } catch (err) {
      throw failed(`INSERT INTO ${table.text}`, err);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function failed(statement: string, cause: unknown): VigilError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const shown = statement.length > 200 ? `${statement.slice(0, 200)}…` : statement;
  return new VigilError("VIGIL_STORE_QUERY_FAILED", `ClickHouse: ${reason} (in ${shown})`, { cause });
}
