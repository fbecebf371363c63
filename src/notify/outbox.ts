/**
 * The outbox of one notifier on disk: `<outboxDir>/<notifier>/pending/` holds
 * one file per notification not yet delivered, `<outboxDir>/<notifier>/dead/`
 * one file per dead letter. Files are named by a per-notifier sequence
 * number, so a listing is their order, and written through DurableDir, so a
 * file under its final name is always complete.
 *
 * A pending file that cannot be read back (corrupt, or written by something
 * else) is moved aside as `.bad` and logged rather than blocking the rest.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { DurableDir } from "../runtime/durable-dir.js";
import { ALARM_SEVERITIES, NOTIFICATION_EVENTS, type AlarmNotification, type DeadLetter } from "./notification.js";

const FILE = /^(\d{16})\.json$/;

const notificationSchema = z.object({
  id: z.string().min(1),
  event: z.enum(NOTIFICATION_EVENTS),
  at: z.number(),
  alarm: z.object({
    id: z.string(),
    ruleId: z.string(),
    unit: z.string(),
    sensor: z.string().nullable(),
    severity: z.enum(ALARM_SEVERITIES),
    category: z.string(),
    message: z.string(),
    state: z.string(),
    value: z.number().nullable(),
    raisedAt: z.number(),
    area: z.string().nullable(),
  }),
});

const pendingSchema = z.object({ notification: notificationSchema });

const deadSchema = z.object({
  notifier: z.string(),
  notification: notificationSchema,
  attempts: z.number(),
  firstAttemptAt: z.number().nullable(),
  lastAttemptAt: z.number().nullable(),
  lastError: z.string(),
  deadAt: z.number(),
});

export interface StoredItem {
  readonly seq: number;
  readonly notification: AlarmNotification;
}

function fileName(seq: number): string {
  return `${String(seq).padStart(16, "0")}.json`;
}

export class NotifierOutbox {
  private constructor(
    private readonly pendingDir: DurableDir,
    private readonly deadDir: DurableDir,
    /** The next sequence number: after everything either directory holds. */
    private nextSeq: number,
  ) {}

  static async open(outboxDir: string, notifier: string): Promise<{ outbox: NotifierOutbox; items: StoredItem[]; unreadable: string[] }> {
    const pendingDir = await DurableDir.open(`${outboxDir}/${notifier}/pending`);
    const deadDir = await DurableDir.open(`${outboxDir}/${notifier}/dead`);
    const items: StoredItem[] = [];
    const unreadable: string[] = [];
    let last = -1;
    for (const name of await deadDir.list()) {
      const m = FILE.exec(name);
      if (m !== null) last = Math.max(last, Number(m[1]));
    }
    for (const name of await pendingDir.list()) {
      const m = FILE.exec(name);
      if (m === null) continue;
      const seq = Number(m[1]);
      last = Math.max(last, seq);
      const parsed = pendingSchema.safeParse(await readJson(pendingDir, name));
      if (parsed.success) {
        items.push({ seq, notification: parsed.data.notification });
      } else {
        await pendingDir.rename(name, `${name}.bad`);
        unreadable.push(pendingDir.file(`${name}.bad`));
      }
    }
    return { outbox: new NotifierOutbox(pendingDir, deadDir, last + 1), items, unreadable };
  }

  /** Reserves the next sequence number (synchronously, so dispatch order is file order). */
  claimSeq(): number {
    return this.nextSeq++;
  }

  /** Resolves once the item is durable. */
  write(seq: number, notification: AlarmNotification): Promise<void> {
    return this.pendingDir.write(fileName(seq), JSON.stringify({ notification }));
  }

  /** The item was delivered. */
  remove(seq: number): Promise<void> {
    return this.pendingDir.remove(fileName(seq));
  }

  /** Records the dead letter durably, then drops the pending item: a crash in between leaves both, never neither. */
  async bury(seq: number, letter: DeadLetter): Promise<void> {
    await this.deadDir.write(fileName(seq), JSON.stringify(letter));
    await this.pendingDir.remove(fileName(seq));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const out: DeadLetter[] = [];
    for (const name of await this.deadDir.list()) {
      if (!FILE.test(name)) continue;
      const parsed = deadSchema.safeParse(await readJson(this.deadDir, name));
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }
}

export interface OutboxSummary {
  readonly notifier: string;
  readonly pending: number;
  readonly deadLetters: readonly DeadLetter[];
}

/**
 * What an outbox directory holds, per notifier, read without changing
 * anything (a running node may be writing to it): for operators and the CLI.
 */
export async function inspectOutbox(outboxDir: string): Promise<OutboxSummary[]> {
  const names = await readdir(outboxDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  const out: OutboxSummary[] = [];
  for (const notifier of names.filter((n) => !n.startsWith(".")).sort()) {
    const pending = (await readdir(join(outboxDir, notifier, "pending")).catch(() => [])).filter((n) => FILE.test(n)).length;
    const deadLetters: DeadLetter[] = [];
    const deadPath = join(outboxDir, notifier, "dead");
    for (const name of (await readdir(deadPath).catch(() => [])).filter((n) => FILE.test(n)).sort()) {
      const parsed = deadSchema.safeParse(await readFile(join(deadPath, name), "utf8").then((t) => JSON.parse(t) as unknown, () => undefined));
      if (parsed.success) deadLetters.push(parsed.data);
    }
    out.push({ notifier, pending, deadLetters });
  }
  return out;
}

async function readJson(dir: DurableDir, name: string): Promise<unknown> {
  try {
    return JSON.parse(await dir.read(name)) as unknown;
  } catch {
    return undefined;
  }
}
