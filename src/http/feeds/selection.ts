/**
 * A client's subscriptions: a set of (kind, unit pattern, sensor pattern)
 * triples, the cross products of its subscribe messages. An event matches
 * when any triple does; a pattern is `*`, an exact id, or a prefix ending in
 * `*`. An event's null unit or sensor is matched by `*` only: naming a unit
 * selects that unit's events, not the node's own.
 *
 * Clients with the same set share one compiled filter and one frame per
 * flush (the hub groups them by `signature`), so a thousand dashboards
 * watching everything cost one filtering pass, not a thousand.
 */
import type { FeedEvent } from "./events.js";
import { FEED_KINDS, type FeedKind } from "./protocol.js";

export interface Selection {
  readonly kinds?: readonly (FeedKind | "*")[] | undefined;
  readonly units?: readonly string[] | undefined;
  readonly sensors?: readonly string[] | undefined;
}

export type EventFilter = (event: FeedEvent) => boolean;

export interface CompiledFilter {
  readonly matches: EventFilter;
  /** Selects every event: the hub skips filtering. */
  readonly all: boolean;
}

const SEP = " "; // not a character any pattern may hold

/** The triples of a selection, each as "kind unit sensor"; lists left out mean `*`. */
export function triplesOf(selection: Selection): string[] {
  const kinds = selection.kinds ?? ["*"];
  const units = selection.units ?? ["*"];
  const sensors = selection.sensors ?? ["*"];
  const out: string[] = [];
  for (const k of new Set(kinds)) for (const u of new Set(units)) for (const s of new Set(sensors)) out.push(`${k}${SEP}${u}${SEP}${s}`);
  return out;
}

type Match = (id: string | null) => boolean;

function patternMatch(pattern: string): Match {
  if (pattern === "*") return () => true;
  if (pattern.endsWith("*")) {
    const prefix = pattern.slice(0, -1);
    return (id) => id !== null && id.startsWith(prefix);
  }
  return (id) => id === pattern;
}

/** A filter for a set of triples. Per kind, the (unit, sensor) pairs to try; `*,*` short-cuts to true. */
export function compileFilter(triples: Iterable<string>): CompiledFilter {
  const byKind = new Map<FeedKind, [Match, Match][]>();
  const everything = new Set<FeedKind>();
  for (const triple of triples) {
    const [kind = "", unit = "", sensor = ""] = triple.split(SEP);
    const kinds: readonly FeedKind[] = kind === "*" ? FEED_KINDS : [kind as FeedKind];
    for (const k of kinds) {
      if (unit === "*" && sensor === "*") everything.add(k);
      const pairs = byKind.get(k) ?? [];
      pairs.push([patternMatch(unit), patternMatch(sensor)]);
      byKind.set(k, pairs);
    }
  }
  if (everything.size === FEED_KINDS.length) return { all: true, matches: () => true };
  const matches: EventFilter = (event) => {
    if (everything.has(event.kind)) return true;
    const pairs = byKind.get(event.kind);
    if (pairs === undefined) return false;
    for (const [unit, sensor] of pairs) if (unit(event.unit) && sensor(event.sensor)) return true;
    return false;
  };
  return { all: false, matches };
}

/** The same string for the same set of triples, whatever order they were added in. */
export function signatureOf(triples: ReadonlySet<string>): string {
  return [...triples].sort().join("|");
}

/**
 * The units whose events of `kind` a set of triples selects: "all" when a
 * unit pattern is `*` or a prefix (any unit may match), else the ids named.
 */
export function unitsWanted(triples: Iterable<string>, kind: FeedKind): ReadonlySet<string> | "all" {
  const units = new Set<string>();
  for (const triple of triples) {
    const [k = "", unit = ""] = triple.split(SEP);
    if (k !== "*" && k !== kind) continue;
    if (unit.endsWith("*")) return "all";
    units.add(unit);
  }
  return units;
}
