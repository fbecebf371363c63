/**
 * A configured topic mapping compiled for the hot path: the subscription
 * filter it needs, a matcher that turns a topic back into placeholder
 * values, and the decoder that turns the payload into raw readings.
 */
import { parseTemplate, parseTopicPattern, type PatternLevel, type TopicMapping } from "../../../config/index.js";
import { VigilError } from "../../../runtime/index.js";
import type { RawReading, Rejection } from "../../readings/index.js";
import { decodeReadingPayload, isRejection } from "../decode.js";
import { decodeFieldsPayload, type FieldsDecoder } from "./fields-payload.js";
import { fillTemplate, type Placeholders } from "./template.js";

export interface TopicRoute {
  /** The pattern as configured, e.g. `scada/{unit}/{sensor}`. */
  readonly pattern: string;
  /** The MQTT subscription filter, e.g. `scada/+/+`. */
  readonly filter: string;
  readonly qos: 0 | 1;
  /** Placeholder values when `topic` fits the pattern (every placeholder non-empty), else undefined. */
  match(topic: string): Placeholders | undefined;
  /** The decoder of payloads on a topic that matched with `placeholders`: its ids are filled once, here. */
  bind(placeholders: Placeholders): PayloadDecoder;
}

/** The raw readings in a payload that arrived on one topic, or why there are none. */
export type PayloadDecoder = (payload: Uint8Array) => RawReading[] | Rejection;

export function compileRoute(mapping: TopicMapping): TopicRoute {
  const pattern = mustParse(parseTopicPattern(mapping.topic));
  const levels = pattern.levels;
  const unit = mustParse(parseTemplate(mapping.unit));
  let bind: TopicRoute["bind"];
  if (mapping.payload === "reading") {
    const sensor = mustParse(parseTemplate(mapping.sensor));
    bind = (values) => {
      const unitId = fillTemplate(unit, values);
      const sensorId = fillTemplate(sensor, values);
      return (payload) => {
        const fields = decodeReadingPayload(payload);
        if (isRejection(fields)) return fields;
        return [{ unit: unitId, sensor: sensorId, value: fields.value, quality: fields.quality, timestamp: fields.timestamp }];
      };
    };
  } else {
    const decoder: FieldsDecoder = {
      sensors: new Map(Object.entries(mapping.fields).map(([field, sensor]) => [field, mustParse(parseTemplate(sensor))])),
      timestampField: mapping.timestampField,
      qualityField: mapping.qualityField,
    };
    bind = (values) => {
      const unitId = fillTemplate(unit, values);
      return (payload) => decodeFieldsPayload(payload, unitId, values, decoder);
    };
  }
  return {
    pattern: mapping.topic,
    filter: levels.map(filterLevel).join("/"),
    qos: mapping.qos,
    match: (topic) => matchLevels(levels, topic),
    bind,
  };
}

/** The first route whose pattern fits `topic`, with its placeholder values. */
export function findRoute(routes: readonly TopicRoute[], topic: string): { route: TopicRoute; placeholders: Placeholders } | undefined {
  for (const route of routes) {
    const placeholders = route.match(topic);
    if (placeholders !== undefined) return { route, placeholders };
  }
  return undefined;
}

/**
 * A concrete topic from a pattern, for publishing back:
 * `formatTopic("solar/{device}/forecast", { device: "PV01" })` is `solar/PV01/forecast`.
 * Throws VIGIL_MQTT_TOPIC_INVALID for wildcards, a missing value, or a value
 * that would change the topic's levels.
 */
export function formatTopic(pattern: string, values: Placeholders): string {
  const parsed = parseTopicPattern(pattern);
  if (typeof parsed === "string") throw new VigilError("VIGIL_MQTT_TOPIC_INVALID", `topic pattern ${parsed}`);
  return parsed.levels
    .map((level) => {
      switch (level.kind) {
        case "literal":
          return level.text;
        case "placeholder": {
          const value = values[level.name];
          if (value === undefined || value === "" || /[/+#]/.test(value)) {
            throw new VigilError("VIGIL_MQTT_TOPIC_INVALID", `topic "${pattern}": {${level.name}} needs a value without / + #, got ${JSON.stringify(value ?? null)}`);
          }
          return value;
        }
        case "any":
        case "rest":
          throw new VigilError("VIGIL_MQTT_TOPIC_INVALID", `topic "${pattern}": wildcards cannot be published to`);
      }
    })
    .join("/");
}

function matchLevels(levels: readonly PatternLevel[], topic: string): Placeholders | undefined {
  const parts = topic.split("/");
  const last = levels[levels.length - 1];
  const open = last?.kind === "rest";
  // MQTT's `a/#` also matches `a` itself.
  if (open ? parts.length < levels.length - 1 : parts.length !== levels.length) return undefined;
  const values: Placeholders = {};
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as PatternLevel;
    const part = parts[i];
    switch (level.kind) {
      case "literal":
        if (part !== level.text) return undefined;
        break;
      case "placeholder":
        if (part === undefined || part === "") return undefined;
        values[level.name] = part;
        break;
      case "any":
        if (part === undefined) return undefined;
        break;
      case "rest":
        return values;
    }
  }
  return values;
}

function filterLevel(level: PatternLevel): string {
  switch (level.kind) {
    case "literal":
      return level.text;
    case "placeholder":
    case "any":
      return "+";
    case "rest":
      return "#";
  }
}

/** Config validation has already parsed these; a failure here is a bug, not bad input. */
function mustParse<T>(parsed: T | string): T {
  if (typeof parsed === "string") throw new VigilError("VIGIL_CONFIG_INVALID", `mqtt topic mapping: ${parsed}`);
  return parsed;
}
