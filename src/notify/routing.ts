/**
 * Which notifiers a notification goes to: every route whose severities,
 * unit groups and events all match contributes its notifiers; a notifier
 * named by several matching routes gets the notification once.
 */
import type { NotifyConfig, NotifyRouteConfig } from "../config/index.js";
import type { AlarmNotification } from "./notification.js";

type UnitMatcher = (unit: string) => boolean;

/** '*' matches any run of characters; everything else literally. */
function unitPattern(pattern: string): UnitMatcher {
  if (!pattern.includes("*")) return (unit) => unit === pattern;
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return (unit) => re.test(unit);
}

interface CompiledRoute {
  readonly route: NotifyRouteConfig;
  readonly units: UnitMatcher | undefined;
}

export class Router {
  private readonly routes: readonly CompiledRoute[];

  constructor(config: Pick<NotifyConfig, "routes" | "unitGroups">) {
    const groups = new Map(Object.entries(config.unitGroups).map(([name, patterns]) => [name, patterns.map(unitPattern)]));
    this.routes = config.routes.map((route) => {
      if (route.unitGroups === undefined) return { route, units: undefined };
      const matchers = route.unitGroups.flatMap((g) => groups.get(g) ?? []);
      return { route, units: (unit: string) => matchers.some((m) => m(unit)) };
    });
  }

  /** Names of the notifiers the notification goes to, in config order, each once. */
  notifiersFor(n: AlarmNotification): string[] {
    const out = new Set<string>();
    for (const { route, units } of this.routes) {
      if (route.severities !== undefined && !route.severities.includes(n.alarm.severity)) continue;
      if (route.events !== undefined && !route.events.includes(n.event)) continue;
      if (units !== undefined && !units(n.alarm.unit)) continue;
      for (const name of route.notifiers) out.add(name);
    }
    return [...out];
  }
}
