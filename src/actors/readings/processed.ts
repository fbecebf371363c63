/**
 * What the pipeline produces: a processed reading per accepted reading, and a
 * unit's state. These are published on the transport (subjects.ts) and are
 * the contract for alarms, history, the API and the dashboard.
 */
import type { IngestSource, ReadingQuality } from "./reading.js";

export const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ["THERMAL", "PRESSURE", "FLOW", "MECHANICAL", "ELECTRICAL"] as const;
export type Category = (typeof CATEGORIES)[number];

/** How a score was produced: a trained model, the statistical detector, or plain rules. */
export const SCORING_METHODS = ["MODEL", "STATISTICAL", "RULES"] as const;
export type ScoringMethod = (typeof SCORING_METHODS)[number];

export interface ProcessedReading {
  unit: string;
  sensor: string;
  ts: number;
  value: number;
  quality: ReadingQuality;
  source: IngestSource;
  anomaly: boolean;
  /** 0 (normal) .. 1 (certainly anomalous), six decimals at most (scoreOf). */
  score: number;
  severity: Severity | null;
  category: Category | null;
  method: ScoringMethod;
  model_version: string | null;
  /** Why it is anomalous, e.g. "stuck", "out_of_range", "zscore"; empty when normal. */
  reasons: string[];
  receivedAt: number;
  processedAt: number;
}

/**
 * A ProcessedReading as JSON, without JSON.stringify's generic walk: this
 * runs once per reading on the hot path. Equal to JSON.stringify(r) once
 * parsed (the tests check it); enum fields are known tokens and need no escaping.
 */
export function encodeProcessedReading(r: ProcessedReading): string {
  return (
    `{"unit":${JSON.stringify(r.unit)},"sensor":${JSON.stringify(r.sensor)},"ts":${num(r.ts)},"value":${num(r.value)}` +
    `,"quality":"${r.quality}","source":"${r.source}","anomaly":${r.anomaly},"score":${scoreText(r.score)}` +
    `,"severity":${r.severity === null ? "null" : `"${r.severity}"`},"category":${r.category === null ? "null" : `"${r.category}"`}` +
    `,"method":"${r.method}","model_version":${r.model_version === null ? "null" : JSON.stringify(r.model_version)}` +
    `,"reasons":${r.reasons.length === 0 ? "[]" : JSON.stringify(r.reasons)},"receivedAt":${num(r.receivedAt)},"processedAt":${num(r.processedAt)}}`
  );
}

/**
 * encodeProcessedReading for the readings of one sensor, as its actor
 * publishes them: the unit and sensor (taken from the constructor, not the
 * reading) are escaped once, and the JSON of the model version and of the
 * reasons is kept while they stay the same — a sensor publishes reading
 * after reading with the same version and the same few (shared, see
 * reasonsOf) reason lists. The same text as encodeProcessedReading.
 *
 * The text between the numbers is kept too, in two runs that change rarely
 * (quality, source and anomaly; severity to reasons), and the three
 * timestamps' text is kept per thread while they repeat (readings of one
 * batch share their receipt time, of one tick their reading time, and many
 * are processed within the same millisecond): writing an epoch millisecond
 * is the dearest part of a reading, and every piece put together allocates.
 */
export class ProcessedEncoder {
  private readonly head: string;
  // What the two runs of text between the numbers were last written for, and their text.
  private quality: ReadingQuality | undefined;
  private source: IngestSource | undefined;
  private anomaly: boolean | undefined;
  private flagsText = "";
  private severity: Severity | null | undefined;
  private category: Category | null | undefined;
  private method: ScoringMethod | undefined;
  private version: string | null | undefined;
  private reasons: readonly string[] | undefined;
  private verdictText = "";

  constructor(unit: string, sensor: string) {
    this.head = `{"unit":${JSON.stringify(unit)},"sensor":${JSON.stringify(sensor)},"ts":`;
  }

  encode(r: ProcessedReading): string {
    if (r.quality !== this.quality || r.source !== this.source || r.anomaly !== this.anomaly) {
      this.quality = r.quality;
      this.source = r.source;
      this.anomaly = r.anomaly;
      this.flagsText = `,"quality":"${r.quality}","source":"${r.source}","anomaly":${r.anomaly},"score":`;
    }
    if (r.severity !== this.severity || r.category !== this.category || r.method !== this.method || r.model_version !== this.version || r.reasons !== this.reasons) {
      this.severity = r.severity;
      this.category = r.category;
      this.method = r.method;
      this.version = r.model_version;
      this.reasons = r.reasons;
      this.verdictText =
        `,"severity":${r.severity === null ? "null" : `"${r.severity}"`},"category":${r.category === null ? "null" : `"${r.category}"`}` +
        `,"method":"${r.method}","model_version":${r.model_version === null ? "null" : JSON.stringify(r.model_version)}` +
        `,"reasons":${r.reasons.length === 0 ? "[]" : JSON.stringify(r.reasons)},"receivedAt":`;
    }
    const parts = PARTS;
    parts[0] = this.head;
    parts[1] = TS_TEXT.of(r.ts);
    parts[3] = num(r.value);
    parts[4] = this.flagsText;
    parts[5] = scoreText(r.score);
    parts[6] = this.verdictText;
    parts[7] = RECEIVED_TEXT.of(r.receivedAt);
    parts[9] = PROCESSED_TEXT.of(r.processedAt);
    return parts.join("");
  }
}

/**
 * The pieces of one encoding, joined into one flat string. Adding them up
 * made a chain of ten cons strings per reading, which postMessage then had
 * to flatten into a copy on its way to main: two allocations of the text's
 * size where join makes one. Shared: encode fills it and joins at once.
 */
const PARTS: string[] = ["", "", ',"value":', "", "", "", "", "", ',"processedAt":', "", "}"];

/** The text of the last number written in one place, kept while the same number comes again. */
class RepeatedNumber {
  private last = Number.NaN;
  private text = "null";

  of(n: number): string {
    if (n !== this.last) {
      this.last = n;
      this.text = num(n);
    }
    return this.text;
  }
}

const TS_TEXT = new RepeatedNumber();
const RECEIVED_TEXT = new RepeatedNumber();
const PROCESSED_TEXT = new RepeatedNumber();

/**
 * The number after `field` (e.g. `"ts":`) in a flat JSON object written by
 * encodeProcessedReading, without parsing the rest: NaN when absent.
 */
export function processedNumberField(json: string, field: string): number {
  const at = json.indexOf(field);
  if (at < 0) return Number.NaN;
  const start = at + field.length;
  let end = start;
  while (end < json.length && json[end] !== "," && json[end] !== "}") end++;
  return Number(json.slice(start, end));
}

/** Decimal parts of thousandths as written, trailing zeros dropped: "", ".001", …, ".5", …, ".999". */
const THOUSANDTHS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? "" : `.${String(i).padStart(3, "0")}`.replace(/0+$/, "")));
/** Below this many thousandths, a whole part divided out by 1000 cannot round across an integer. */
const EXACT_THOUSANDTHS = 2 ** 52;

/**
 * A number as JSON.stringify writes it, once parsed: non-finite values become
 * null. Most numbers here have at most three decimals (epoch milliseconds,
 * plant values) and are written from integers, because the general
 * shortest-digits conversion costs several times more and ran five times
 * per reading.
 */
function num(n: number): string {
  const q = Math.round(n * 1000);
  if (q / 1000 === n && q < EXACT_THOUSANDTHS && q > -EXACT_THOUSANDTHS) {
    // q / 1000 is exactly n, so the decimal q/1000 parses back to n.
    const a = q < 0 ? -q : q;
    const whole = Math.floor(a / 1000);
    const s = String(whole) + (THOUSANDTHS[a - whole * 1000] as string);
    return q < 0 ? `-${s}` : s;
  }
  return Number.isFinite(n) ? String(n) : "null";
}

/** "0.", "0.0", … "0.00000": what goes before a score's significant digits, by the count of zeros after the point. */
const SCORE_LEADS = Array.from({ length: 6 }, (_, zeros) => `0.${"0".repeat(zeros)}`);

/**
 * Scores go out with six decimals (scoreOf): written from the integer
 * millionths, trailing zeros divided off (a regular expression ran per reading).
 */
function scoreText(score: number): string {
  let q = Math.round(score * 1e6);
  if (q / 1e6 === score && q > 0 && q < 1e6) {
    let places = 6;
    while (q % 10 === 0) {
      q /= 10;
      places--;
    }
    const digits = String(q);
    return (SCORE_LEADS[places - digits.length] as string) + digits;
  }
  return num(score);
}

/**
 * A score as published: six decimals are more than any consumer can use,
 * and numbers of a few decimals are cheap to write (see num).
 */
export function scoreOf(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

export const UNIT_STATUSES = ["online", "offline", "maintenance"] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

export const OPERATIONAL_STATES = ["STARTUP", "OPTIMAL", "NORMAL", "DEGRADED", "OVERLOAD", "FAULT", "SHUTDOWN"] as const;
export type OperationalState = (typeof OPERATIONAL_STATES)[number];

export interface SensorSnapshot {
  value: number;
  ts: number;
  quality: ReadingQuality;
  anomaly: boolean;
  score: number;
}

export interface UnitState {
  unit: string;
  status: UnitStatus;
  operationalState: OperationalState;
  severity: Severity | null;
  category: Category | null;
  /** 0 (failed) .. 1 (healthy). */
  health: number;
  method: ScoringMethod;
  sensors: Record<string, SensorSnapshot>;
  lastReadingAt: number | null;
  updatedAt: number;
  /** With a `unit_state` model: its probability of each operational state. */
  probabilities?: Record<OperationalState, number>;
  /** With a `unit_rul` model: remaining useful life in hours (health is derived from it). */
  rul_hours?: number;
  /** The versions that scored this state (`<model>@<version>`, comma-separated). */
  model_version?: string;
}

/** A solar device's power forecast (`solar_forecast`), published on SUBJECTS.forecast. */
export interface PowerForecast {
  unit: string;
  /** The reading time the forecast was made from. */
  ts: number;
  power_kw: number;
  model_version: string;
}
