/**
 * The store's last guard on numbers. Readings are validated upstream
 * (validateReading), but a NaN that slipped through would be stored as NaN
 * by one engine and refused by another, so both stores refuse the whole
 * batch here, before writing any of it.
 */
import { VigilError } from "../runtime/errors.js";

/** Throws VIGIL_STORE_ROW_INVALID if a named field of any row is not a finite number (or a whole one for `wholeFields`). */
export function checkRows<T extends object>(
  table: string,
  rows: readonly T[],
  finiteFields: readonly (keyof T & string)[],
  wholeFields: readonly (keyof T & string)[] = [],
): void {
  rows.forEach((row, i) => {
    for (const field of finiteFields) {
      const v = row[field] as unknown;
      if (v === null) continue;
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new VigilError("VIGIL_STORE_ROW_INVALID", `${table}: row ${i} has ${field} = ${describe(v)}, not a finite number`);
      }
    }
    for (const field of wholeFields) {
      const v = row[field] as unknown;
      if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        throw new VigilError("VIGIL_STORE_ROW_INVALID", `${table}: row ${i} has ${field} = ${describe(v)}, not a whole number of milliseconds`);
      }
    }
  });
}

function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : JSON.stringify(v) ?? typeof v;
}
