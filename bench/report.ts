/**
 * How a bench reports a figure: exactly one JSON line on stdout per figure,
 * so results can be collected with `grep '^{'` and compared across runs.
 * Progress and commentary belong on stderr.
 *
 * @example
 * reportFigure({ suite: "pipeline", metric: "mqtt_readings_per_s", value: 91234, unit: "1/s",
 *                baseline: "mosquitto + mqtt.js", baseline_value: 45000 });
 * // {"suite":"pipeline","metric":"mqtt_readings_per_s","value":91234,"unit":"1/s","cores":2,
 * //  "baseline":"mosquitto + mqtt.js","baseline_value":45000,"ratio":2.03}
 */
import os from "node:os";

interface FigureBase {
  readonly suite: string;
  /** snake_case with its unit, e.g. "mqtt_readings_per_s", "p99_latency_ms". */
  readonly metric: string;
  readonly value: number;
  /** e.g. "1/s", "ms", "bytes". */
  readonly unit: string;
  /** Conditions the figure was measured under, printed after the unit, e.g. `{ offered_rate: 250000 }`. */
  readonly conditions?: Readonly<Record<string, string | number>>;
}

/** A figure stands alone, or is compared with the same measure of a baseline taken in the same run. */
export type Figure =
  | (FigureBase & { readonly baseline?: undefined; readonly baseline_value?: undefined })
  | (FigureBase & { readonly baseline: string; readonly baseline_value: number });

/** Three significant digits: enough to compare, without false precision. */
function roundRatio(ratio: number): number {
  return Number(ratio.toPrecision(3));
}

/** The JSON line for a figure (without the newline). Throws on a non-finite value: that is a bench bug, not a result. */
export function formatFigure(figure: Figure): string {
  if (!Number.isFinite(figure.value)) throw new TypeError(`${figure.suite}/${figure.metric}: value is ${figure.value}`);
  const line: Record<string, unknown> = {
    suite: figure.suite,
    metric: figure.metric,
    value: figure.value,
    unit: figure.unit,
    ...figure.conditions,
    cores: os.availableParallelism(),
  };
  if (figure.baseline !== undefined) {
    if (!Number.isFinite(figure.baseline_value)) {
      throw new TypeError(`${figure.suite}/${figure.metric}: baseline_value is ${figure.baseline_value}`);
    }
    line["baseline"] = figure.baseline;
    line["baseline_value"] = figure.baseline_value;
    // A zero baseline has no meaningful ratio; null keeps the key present and the JSON valid.
    line["ratio"] = figure.baseline_value === 0 ? null : roundRatio(figure.value / figure.baseline_value);
  }
  return JSON.stringify(line);
}

export function reportFigure(figure: Figure): void {
  process.stdout.write(formatFigure(figure) + "\n");
}
