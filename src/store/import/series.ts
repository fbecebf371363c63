/**
 * Collects a file's readings per (unit, sensor) as columns, checking each
 * cell on the way in: a number, finite, inside the column's physical range
 * (when validating), and the first value for its timestamp. The format
 * parsers feed it; everything after (outliers, features, the store) works on
 * the series it returns.
 */
import { QUALITIES } from "../../actors/readings/reading.js";
import type { PhysicalRange } from "./columns.js";
import type { IssueLog } from "./issues.js";

/** Quality codes in the columns are indexes into QUALITIES. */
export const QUALITY_CODES = QUALITIES;
export const GOOD = 0;
export const UNCERTAIN = 1;

export interface Series {
  readonly unit: string;
  readonly sensor: string;
  /** Sorted by time, strictly increasing. */
  readonly ts: Float64Array;
  readonly value: Float64Array;
  /** QUALITY_CODES index per reading. */
  readonly quality: Uint8Array;
  /** 1 where the outlier rule flagged the value (see outliers.ts). */
  readonly outlier: Uint8Array;
  /** Line each reading came from. */
  readonly line: Int32Array;
}

const MISSING = new Set(["", "na", "n/a", "null", "none", "-", "nil"]);
const NOT_FINITE = new Set(["nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Builder {
  unit: string;
  sensor: string;
  ts: number[];
  value: number[];
  quality: number[];
  line: number[];
  seen: Set<number>;
}

export class SeriesCollector {
  private readonly builders = new Map<string, Builder>();
  private readonly rowsSeen = new Map<string, Set<number>>();
  readingsRead = 0;

  constructor(
    private readonly issues: IssueLog,
    /** The physical range of a sensor's values; absent when not validating. */
    private readonly rangeOf: ((sensor: string) => PhysicalRange | undefined) | undefined,
  ) {}

  /**
   * Claims (unit, ts) for a row of a wide file; false when an earlier row had
   * it. Duplicates are removed even without validation: the store keeps one
   * value per (unit, sensor, ts), and which one would depend on the engine.
   */
  claimRow(unit: string, ts: number): boolean {
    let seen = this.rowsSeen.get(unit);
    if (seen === undefined) this.rowsSeen.set(unit, (seen = new Set()));
    if (seen.has(ts)) return false;
    seen.add(ts);
    return true;
  }

  /** Checks one cell's text and keeps it as a reading when it passes. */
  add(line: number, unit: string, sensor: string, column: string, ts: number, text: string, quality: number): void {
    this.readingsRead++;
    const value = this.number(line, column, text);
    if (value === undefined) return;
    const range = this.rangeOf?.(sensor);
    if (range !== undefined && (value < range.min || value > range.max)) {
      const u = range.unit === "" ? "" : ` ${range.unit}`;
      const detail = value < range.min ? `${value}${u} is below the physical minimum ${range.min}${u}` : `${value}${u} is above the physical maximum ${range.max}${u}`;
      this.issues.add({ line, column, reason: "out_of_range", detail });
      return;
    }
    const b = this.builder(unit, sensor);
    if (b.seen.has(ts)) {
      this.issues.add({ line, column, reason: "duplicate_timestamp", detail: `${unit}/${sensor} already has a value at ${new Date(ts).toISOString()}` });
      return;
    }
    b.seen.add(ts);
    b.ts.push(ts);
    b.value.push(value);
    b.quality.push(quality);
    b.line.push(line);
  }

  /** The collected series, each sorted by time. */
  series(): Series[] {
    const out: Series[] = [];
    for (const b of this.builders.values()) {
      const order = b.ts.map((_, i) => i);
      order.sort((i, j) => (b.ts[i] as number) - (b.ts[j] as number));
      out.push({
        unit: b.unit,
        sensor: b.sensor,
        ts: Float64Array.from(order, (i) => b.ts[i] as number),
        value: Float64Array.from(order, (i) => b.value[i] as number),
        quality: Uint8Array.from(order, (i) => b.quality[i] as number),
        outlier: new Uint8Array(order.length),
        line: Int32Array.from(order, (i) => b.line[i] as number),
      });
    }
    return out;
  }

  private number(line: number, column: string, text: string): number | undefined {
    const t = text.trim();
    const lower = t.toLowerCase();
    if (MISSING.has(lower)) {
      this.issues.add({ line, column, reason: "missing_value", detail: "empty" });
      return undefined;
    }
    if (NOT_FINITE.has(lower)) {
      this.issues.add({ line, column, reason: "not_finite", detail: `${t} is not a finite number` });
      return undefined;
    }
    if (!NUMBER.test(t)) {
      this.issues.add({ line, column, reason: "not_a_number", detail: `${JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t)} is not a number` });
      return undefined;
    }
    const value = Number(t);
    if (!Number.isFinite(value)) {
      this.issues.add({ line, column, reason: "not_finite", detail: `${t} overflows a double` });
      return undefined;
    }
    return value;
  }

  private builder(unit: string, sensor: string): Builder {
    const key = `${unit}\u0000${sensor}`;
    let b = this.builders.get(key);
    if (b === undefined) this.builders.set(key, (b = { unit, sensor, ts: [], value: [], quality: [], line: [], seen: new Set() }));
    return b;
  }
}
