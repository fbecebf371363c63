/**
 * The `notify` section through the config loader: notifiers, routes and
 * unit groups come from the file only, scalars from the environment too,
 * and a route naming a notifier or group that does not exist stops the
 * start with the field named.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigInvalidError, loadConfig, SETTINGS } from "../../src/config/index.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "vigil-config-notify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(notify: unknown): string {
  const file = path.join(dir, `config-${files++}.json`);
  writeFileSync(file, JSON.stringify({ notify }));
  return file;
}

function issuesOf(file: string): string[] {
  try {
    loadConfig({ file, env: {} });
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err.issues.map((i) => `${i.path}: ${i.problem}`);
    throw err;
  }
  throw new Error("expected loadConfig to throw");
}

const webhook = { type: "webhook", name: "ops-hook", url: "https://hooks.plant.example/alarms", secret: "WEBHOOK_KEY" };

describe("notify config", () => {
  it("takes notifiers, routes and unit groups from the file, filling each notifier's defaults", () => {
    const file = configFile({
      notifiers: [webhook, { type: "mqtt", name: "scada", url: "mqtt://10.0.0.5:1883" }],
      routes: [{ severities: ["CRITICAL"], unitGroups: ["north"], notifiers: ["ops-hook", "scada"] }],
      unitGroups: { north: ["UNIT001", "PUMP-N*"] },
    });
    const { notify } = loadConfig({ file, env: {} });
    expect(notify.notifiers[1]).toEqual({ type: "mqtt", name: "scada", url: "mqtt://10.0.0.5:1883", topic: "vigil/alarms/{unit}/{severity}", qos: 1, retain: false });
    expect(notify.routes).toHaveLength(1);
    expect(notify.unitGroups).toEqual({ north: ["UNIT001", "PUMP-N*"] });
  });

  it("sets the retry policy and outbox from the environment, but never the lists of notifiers or routes", () => {
    const config = loadConfig({ env: { VIGIL_NOTIFY_RETRY_MAX_ATTEMPTS: "3", VIGIL_NOTIFY_OUTBOX_DIR: "/var/lib/vigil/outbox" } });
    expect(config.notify.retry.maxAttempts).toBe(3);
    expect(config.notify.outboxDir).toBe("/var/lib/vigil/outbox");
    const paths = SETTINGS.map((s) => s.path);
    expect(paths).toContain("notify.secretsFile");
    expect(paths.filter((p) => /^notify\.(notifiers|routes|unitGroups)/.test(p))).toEqual([]);
  });

  it("rejects a route naming a notifier or a unit group that does not exist", () => {
    const file = configFile({ notifiers: [webhook], routes: [{ unitGroups: ["south"], notifiers: ["ops-hook", "pager"] }] });
    expect(issuesOf(file)).toEqual([
      'notify.routes[0].notifiers[1]: expected the name of a notifier in notify.notifiers ("pager" is not one), got "pager"',
      'notify.routes[0].unitGroups[0]: expected the name of a group in notify.unitGroups ("south" is not one), got "south"',
    ]);
  });

  it("rejects two notifiers with one name, and an unknown notifier type", () => {
    expect(issuesOf(configFile({ notifiers: [webhook, webhook] }))[0]).toContain("notify.notifiers[1].name");
    expect(issuesOf(configFile({ notifiers: [{ type: "pager", name: "x" }] }))[0]).toContain('a notifier with type "webhook", "slack", "email" or "mqtt"');
  });

  it("refuses a secret written into the config instead of named", () => {
    const issues = issuesOf(configFile({ notifiers: [{ ...webhook, secret: "hunter2 with spaces" }] }));
    expect(issues[0]).toContain("notify.notifiers[0].secret: expected the name of a secret");
  });
});
