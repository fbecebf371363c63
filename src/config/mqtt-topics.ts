/**
 * MQTT topic mappings as configuration: which topics the MQTT connector
 * subscribes to and how a topic and its payload become readings. The
 * grammar of topic patterns and id templates lives here, next to the schema
 * that validates them, so that a bad pattern stops the node at start and the
 * connector (src/actors/connectors/mqtt) compiles only patterns known good.
 *
 * A topic pattern is `/`-separated levels, each one of
 * - a literal level, e.g. `scada`;
 * - a placeholder `{name}` that captures the level, e.g. `{unit}`;
 * - `+`, any one level, not captured;
 * - `#` as the last level: any number of further levels, not captured.
 *
 * An id template (`unit`, `sensor`) is literal text and placeholders, e.g.
 * `{device}` or `{site}-{device}` or `temperature`.
 */
import { z } from "zod";

export type PatternLevel =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "placeholder"; readonly name: string }
  | { readonly kind: "any" }
  | { readonly kind: "rest" };

export interface TopicPattern {
  readonly text: string;
  readonly levels: readonly PatternLevel[];
  /** Placeholder names, in the order they appear. */
  readonly placeholders: readonly string[];
}

export type TemplatePart = { readonly kind: "literal"; readonly text: string } | { readonly kind: "placeholder"; readonly name: string };

const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Literal text of a template ends up inside a unit or sensor id (readings/reading.ts ID_PATTERN).
const TEMPLATE_LITERAL = /^[A-Za-z0-9_-]+$/;

/** Parses a topic pattern; returns why it is not one as a string. */
export function parseTopicPattern(text: string): TopicPattern | string {
  if (text === "") return "an empty pattern";
  if (text.startsWith("$")) return `"${text}": topics starting with $ are the broker's own`;
  const raw = text.split("/");
  const levels: PatternLevel[] = [];
  const placeholders: string[] = [];
  for (const [i, level] of raw.entries()) {
    if (level === "#") {
      if (i !== raw.length - 1) return `"${text}": # must be the last level`;
      levels.push({ kind: "rest" });
    } else if (level === "+") {
      levels.push({ kind: "any" });
    } else if (level.startsWith("{") && level.endsWith("}")) {
      const name = level.slice(1, -1);
      if (!PLACEHOLDER_NAME.test(name)) return `"${text}": placeholder "${level}" needs a name of letters, digits and _`;
      if (placeholders.includes(name)) return `"${text}": placeholder {${name}} appears twice`;
      placeholders.push(name);
      levels.push({ kind: "placeholder", name });
    } else if (level === "") {
      return `"${text}": empty level`;
    } else if (/[+#{}]/.test(level)) {
      return `"${text}": level "${level}" mixes text with + # { } (a placeholder is a whole level)`;
    } else {
      levels.push({ kind: "literal", text: level });
    }
  }
  return { text, levels, placeholders };
}

/** Parses an id template such as `{site}-{device}`; returns why it is not one as a string. */
export function parseTemplate(text: string): TemplatePart[] | string {
  const parts: TemplatePart[] = [];
  const re = /\{([^{}]*)\}|([^{}]+)|([{}])/g;
  for (const m of text.matchAll(re)) {
    if (m[1] !== undefined) {
      if (!PLACEHOLDER_NAME.test(m[1])) return `"${text}": placeholder "{${m[1]}}" needs a name of letters, digits and _`;
      parts.push({ kind: "placeholder", name: m[1] });
    } else if (m[2] !== undefined) {
      if (!TEMPLATE_LITERAL.test(m[2])) return `"${text}": "${m[2]}" may hold only letters, digits, - and _`;
      parts.push({ kind: "literal", text: m[2] });
    } else {
      return `"${text}": unmatched "${m[3] ?? ""}"`;
    }
  }
  return parts.length === 0 ? "an empty template" : parts;
}

const qos = z.union([z.literal(0), z.literal(1)], { error: "QoS 0 or 1" });

const topicPattern = z.string({ error: "a topic pattern such as scada/{unit}/{sensor}" }).superRefine((text, ctx) => {
  const parsed = parseTopicPattern(text);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `a topic pattern such as scada/{unit}/{sensor} (${parsed})` });
});

const idTemplate = z.string({ error: "an id template such as {unit}" }).superRefine((text, ctx) => {
  const parsed = parseTemplate(text);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: `an id template such as {unit} or {site}-{device} (${parsed})` });
});

const fieldName = z.string().min(1);

/** One reading per message: a bare number or `{value, quality?, timestamp?}`. */
const readingMapping = z.strictObject({
  topic: topicPattern,
  /** The QoS we subscribe with. 1: acknowledged only once the system has accepted the reading. */
  qos: qos.default(1),
  payload: z.literal("reading"),
  unit: idTemplate.default("{unit}"),
  sensor: idTemplate.default("{sensor}"),
});

/** A device's payload `{ghi: 500, temperature: 25, timestamp: ...}`: one reading per numeric field. */
const fieldsMapping = z.strictObject({
  topic: topicPattern,
  qos: qos.default(1),
  payload: z.literal("fields"),
  unit: idTemplate.default("{unit}"),
  /**
   * Which fields are readings, and the sensor each becomes: `{ "temperature":
   * "ambient_temperature" }`. Empty: every numeric field, named as it is.
   */
  fields: z.record(fieldName, idTemplate, { error: "an object of field name → sensor id" }).default({}),
  timestampField: fieldName.default("timestamp"),
  qualityField: fieldName.default("quality"),
});

export const topicMappingSchema = z
  .discriminatedUnion("payload", [readingMapping, fieldsMapping], { error: 'a mapping whose "payload" is "reading" or "fields"' })
  .superRefine((m, ctx) => {
    const pattern = parseTopicPattern(m.topic);
    if (typeof pattern === "string") return; // already reported on `topic`
    const templates: [string, string][] =
      m.payload === "reading"
        ? [["unit", m.unit], ["sensor", m.sensor]]
        : [["unit", m.unit], ...Object.entries(m.fields).map(([field, sensor]): [string, string] => [`fields.${field}`, sensor])];
    const available = pattern.placeholders.map((n) => `{${n}}`).join(", ") || "none";
    for (const [key, template] of templates) {
      const parts = parseTemplate(template);
      if (typeof parts === "string") continue; // already reported on the field
      for (const p of parts) {
        if (p.kind === "placeholder" && !pattern.placeholders.includes(p.name)) {
          ctx.addIssue({
            code: "custom",
            path: key.split("."),
            message: `an id template built from the topic's placeholders (${available}); "${template}" uses {${p.name}}`,
          });
        }
      }
    }
  });

export type TopicMapping = z.infer<typeof topicMappingSchema>;
export type ReadingTopicMapping = Extract<TopicMapping, { payload: "reading" }>;
export type FieldsTopicMapping = Extract<TopicMapping, { payload: "fields" }>;
