/**
 * `vigil notify outbox` and `vigil notify dead-letters`: what the
 * notification outbox (`notify.outboxDir`) holds — undelivered items and
 * dead letters per notifier — read without changing it, so it is safe next
 * to a running node.
 */
import type { Command } from "commander";
import { inspectOutbox, type DeadLetter } from "../../notify/index.js";
import { addSettingFlags, readConfigOrExit, type SettingFlag } from "../setting-flags.js";

export const SETTING_FLAGS: readonly SettingFlag[] = [
  { flags: "--outbox-dir <dir>", path: "notify.outboxDir", help: "the notification outbox directory" },
];

export function registerNotify(program: Command): void {
  const notify = program.command("notify").description("inspect the alarm notification outbox");

  const outbox = notify
    .command("outbox")
    .description("undelivered notifications and dead letters per notifier")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)");
  const outboxFlags = addSettingFlags(outbox, SETTING_FLAGS);
  outbox.action(async (opts: Record<string, string | undefined>) => {
    const config = readConfigOrExit(opts["config"], outboxFlags(opts));
    const summary = await inspectOutbox(config.notify.outboxDir);
    if (summary.length === 0) process.stdout.write(`no outbox at ${config.notify.outboxDir}\n`);
    for (const s of summary) process.stdout.write(`${s.notifier}  pending ${s.pending}  dead letters ${s.deadLetters.length}\n`);
  });

  const dead = notify
    .command("dead-letters")
    .description("notifications given up on, oldest first, with their attempts and last error")
    .option("--json", "one JSON object per line")
    .option("-c, --config <file>", "JSON config file (any subset of the settings)");
  const deadFlags = addSettingFlags(dead, SETTING_FLAGS);
  dead.action(async (opts: Record<string, string | boolean | undefined>) => {
    const config = readConfigOrExit(opts["config"] as string | undefined, deadFlags(opts as Record<string, string | undefined>));
    const letters = (await inspectOutbox(config.notify.outboxDir)).flatMap((s) => s.deadLetters).sort((a, b) => a.deadAt - b.deadAt);
    for (const letter of letters) process.stdout.write((opts["json"] === true ? JSON.stringify(letter) : describe(letter)) + "\n");
  });
}

/** e.g. "2026-11-23T22:10:00.000Z ops-hook alarm-7:raised:1 raised CRITICAL UNIT001/temperature, 10 attempts: ops-hook: answered 500" */
function describe(d: DeadLetter): string {
  const where = d.notification.alarm.sensor === null ? d.notification.alarm.unit : `${d.notification.alarm.unit}/${d.notification.alarm.sensor}`;
  return `${new Date(d.deadAt).toISOString()} ${d.notifier} ${d.notification.id} ${d.notification.event} ${d.notification.alarm.severity} ${where}, ${d.attempts} attempts: ${d.lastError}`;
}
