/**
 * Alarm messages from a rule's template: `High temperature alert: {value}°C`.
 * Rendered once per transition, never per reading. Unknown placeholders are
 * left as written, so a typo shows in the message instead of vanishing.
 */

export interface TemplateValues {
  value: number | null;
  unit: string;
  sensor: string | null;
  rule: string;
  severity: string;
}

const PLACEHOLDER = /\{(value|unit|sensor|rule|severity)\}/g;

export function renderMessage(template: string, v: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, name: keyof TemplateValues) => {
    if (name === "value") return v.value === null ? "n/a" : formatValue(v.value);
    return v[name] ?? "";
  });
}

/** At most two decimals, no trailing zeros: 91.2345 → "91.23", 90 → "90". */
export function formatValue(x: number): string {
  return String(Math.round(x * 100) / 100);
}
