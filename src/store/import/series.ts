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
  /** The column the values came from, for duplicate reports. */
  column: string;
  ts: number[];
  value: number[];
  quality: number[];
  line: number[];
}

export class SeriesCollector {
  /** unit → sensor → builder, in the order they first appear. */
  private readonly builders = new Map<string, Map<string, Builder>>();
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
    // Duplicate timestamps are found when the series is sorted (series()): a set lookup per value here cost more than all the parsing.
    const b = this.builder(unit, sensor, column);
    b.ts.push(ts);
    b.value.push(value);
    b.quality.push(quality);
    b.line.push(line);
  }

  /**
   * The collected series, each sorted by time. A value whose timestamp its
   * series already has (from an earlier line) is dropped here and reported as
   * duplicate_timestamp.
   */
  series(): Series[] {
    const out: Series[] = [];
    for (const b of [...this.builders.values()].flatMap((bySensor) => [...bySensor.values()])) {
      const n = b.ts.length;
      let inOrder = true;
      for (let i = 1; i < n && inOrder; i++) inOrder = (b.ts[i] as number) > (b.ts[i - 1] as number);
      let order: number[];
      if (inOrder) order = Array.from({ length: n }, (_, i) => i);
      else {
        // Stable sort: of equal timestamps the earliest line comes first and is the one kept.
        const sorted = Array.from({ length: n }, (_, i) => i).sort((i, j) => (b.ts[i] as number) - (b.ts[j] as number));
        order = [];
        for (const i of sorted) {
          const previous = order[order.length - 1];
          if (previous !== undefined && b.ts[previous] === b.ts[i]) {
            const detail = `${b.unit}/${b.sensor} already has a value at ${new Date(b.ts[i] as number).toISOString()} (line ${b.line[previous]})`;
            this.issues.add({ line: b.line[i] as number, column: b.column, reason: "duplicate_timestamp", detail });
          } else order.push(i);
        }
      }
      out.push({
        unit: b.unit,
        sensor: b.sensor,
        ts: inOrder ? Float64Array.from(b.ts) : Float64Array.from(order, (i) => b.ts[i] as number),
        value: inOrder ? Float64Array.from(b.value) : Float64Array.from(order, (i) => b.value[i] as number),
        quality: inOrder ? Uint8Array.from(b.quality) : Uint8Array.from(order, (i) => b.quality[i] as number),
        outlier: new Uint8Array(order.length),
        line: inOrder ? Int32Array.from(b.line) : Int32Array.from(order, (i) => b.line[i] as number),
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

  private builder(unit: string, sensor: string, column: string): Builder {
    let bySensor = this.builders.get(unit);
    if (bySensor === undefined) this.builders.set(unit, (bySensor = new Map<string, Builder>()));
    let b = bySensor.get(sensor);
    if (b === undefined) bySensor.set(sensor, (b = { unit, sensor, column, ts: [], value: [], quality: [], line: [] }));
    return b;
  }
}
