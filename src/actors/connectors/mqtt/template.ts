/**
 * Filling id templates (`{device}`, `{site}-{device}`) with the placeholder
 * values captured from a topic.
 */
import type { TemplatePart } from "../../../config/index.js";

/** Placeholder name → the topic level it captured. */
export type Placeholders = Record<string, string>;

export function fillTemplate(parts: readonly TemplatePart[], values: Placeholders): string {
  // The usual template is one placeholder: no string building.
  if (parts.length === 1 && parts[0]?.kind === "placeholder") return values[parts[0].name] ?? "";
  let out = "";
  for (const p of parts) out += p.kind === "literal" ? p.text : (values[p.name] ?? "");
  return out;
}
