/**
 * Operator areas: which area a unit belongs to, from the `alarms.areas`
 * config (unit ids or patterns with '*'). The first area listing a unit
 * wins; a unit in none has no area and counts towards "default" for flood
 * detection.
 */

export const DEFAULT_AREA = "default";

export type AreaOf = (unit: string) => string | null;

export function areaResolver(areas: Readonly<Record<string, readonly string[]>>): AreaOf {
  const matchers: [string, (unit: string) => boolean][] = [];
  for (const [area, patterns] of Object.entries(areas)) for (const p of patterns) matchers.push([area, matcher(p)]);
  const known = new Map<string, string | null>();
  return (unit) => {
    let area = known.get(unit);
    if (area === undefined) {
      area = matchers.find(([, matches]) => matches(unit))?.[0] ?? null;
      if (known.size < 100_000) known.set(unit, area);
    }
    return area;
  };
}

/** '*' matches any run of characters; everything else literally. */
function matcher(pattern: string): (unit: string) => boolean {
  if (!pattern.includes("*")) return (unit) => unit === pattern;
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (unit) => re.test(unit);
}
