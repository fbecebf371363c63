/**
 * One owner per directory: a spool or an outbox drained by two processes at
 * once would be sent twice and out of order, and each would delete files the
 * other is still reading. The lock is a file (`.lock`) created exclusively,
 * holding the owner's pid and host name.
 *
 * A lock left by a process that died (its pid no longer runs on this host)
 * is taken over, so a crash does not need a person to clean up. A pid equal
 * to ours is stale too unless this process holds the lock (containers reuse
 * pid 1 on every restart). A lock from another host cannot be checked and
 * is never taken over: remove it by hand once that host is known to be down.
 */
import { hostname } from "node:os";
import { open, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

export const LOCK_FILE = ".lock";

/** Directories locked by this process. */
const heldHere = new Set<string>();

export interface DirLock {
  release(): Promise<void>;
}

/** Who holds a lock, for the refusal's message. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

/**
 * Takes the directory's lock or throws `refuse(lockFile, owner)`. The
 * directory must exist.
 */
export async function lockDir(dir: string, refuse: (lockFile: string, owner: LockOwner) => Error): Promise<DirLock> {
  const path = join(resolve(dir), LOCK_FILE);
  if (heldHere.has(path)) throw refuse(path, { pid: process.pid, host: hostname() });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockOwner));
        await handle.sync();
      } finally {
        await handle.close();
      }
      heldHere.add(path);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          await rm(path, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      const owner = await readOwner(path);
      if (owner !== undefined && isAlive(owner)) throw refuse(path, owner);
      await rm(path, { force: true }); // stale: its owner is gone; try once more
    }
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, "utf8")) as Partial<LockOwner>;
    return typeof owner.pid === "number" && typeof owner.host === "string" ? { pid: owner.pid, host: owner.host } : undefined;
  } catch {
    return undefined; // unreadable or half-written: its writer died before finishing it
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // cannot tell; never steal another host's spool
  if (owner.pid === process.pid) return false; // not held here (checked above): left by an earlier process with our pid
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // runs, as another user
  }
}
