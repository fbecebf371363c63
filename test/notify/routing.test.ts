/**
 * Routes pick notifiers by severity, unit group and event; a notifier named
 * by several matching routes gets a notification once.
 */
import { describe, expect, it } from "vitest";
import { Router } from "../../src/notify/routing.js";
import { notification, notifyConfig } from "./peers.js";

const NOTIFIERS = [
  { type: "webhook", name: "all-hook", url: "http://127.0.0.1:9/x", secret: "K" },
  { type: "slack", name: "north-slack", urlSecret: "S" },
  { type: "email", name: "pager-mail", host: "smtp.example", from: "v@example", to: ["pager@example"] },
];

function router(routes: unknown[], unitGroups: Record<string, string[]> = {}): Router {
  return new Router(notifyConfig("/tmp/unused", { notifiers: NOTIFIERS, routes, unitGroups }));
}

describe("notification routing", () => {
  it("sends to a route's notifiers only the severities it lists", () => {
    const r = router([{ severities: ["HIGH", "CRITICAL"], notifiers: ["pager-mail"] }]);
    expect(r.notifiersFor(notification({ severity: "CRITICAL" }))).toEqual(["pager-mail"]);
    expect(r.notifiersFor(notification({ severity: "LOW" }))).toEqual([]);
  });

  it("matches unit groups by id and by '*' pattern", () => {
    const r = router([{ unitGroups: ["north"], notifiers: ["north-slack"] }], { north: ["UNIT001", "PUMP-N*"] });
    expect(r.notifiersFor(notification({ unit: "UNIT001" }))).toEqual(["north-slack"]);
    expect(r.notifiersFor(notification({ unit: "PUMP-N07" }))).toEqual(["north-slack"]);
    expect(r.notifiersFor(notification({ unit: "UNIT002" }))).toEqual([]);
    expect(r.notifiersFor(notification({ unit: "XPUMP-N07" }))).toEqual([]);
  });

  it("sends only the events a route wants", () => {
    const r = router([{ events: ["raised", "escalated"], notifiers: ["pager-mail"] }]);
    expect(r.notifiersFor(notification({ event: "escalated" }))).toEqual(["pager-mail"]);
    expect(r.notifiersFor(notification({ event: "cleared" }))).toEqual([]);
  });

  it("gives a notifier named by several matching routes the notification once", () => {
    const r = router([
      { notifiers: ["all-hook"] },
      { severities: ["CRITICAL"], notifiers: ["all-hook", "pager-mail"] },
    ]);
    expect(r.notifiersFor(notification({ severity: "CRITICAL" }))).toEqual(["all-hook", "pager-mail"]);
  });
});
