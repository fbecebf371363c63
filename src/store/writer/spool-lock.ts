/**
 * One writer per spool directory (src/runtime/dir-lock.ts): two processes
 * draining the same spool would insert its batches concurrently and out of
 * order, and each would delete files the other is still reading.
 */
import { lockDir, type DirLock } from "../../runtime/dir-lock.js";
import { VigilError } from "../../runtime/errors.js";

export { LOCK_FILE } from "../../runtime/dir-lock.js";
export type SpoolLock = DirLock;

export function lockSpoolDir(dir: string): Promise<SpoolLock> {
  return lockDir(
    dir,
    (path, owner) =>
      new VigilError(
        "VIGIL_HISTORY_SPOOL_LOCKED",
        `history writer: the spool ${path} is held by pid ${owner.pid} on ${owner.host}; give each node its own history.writer.spoolDir`,
      ),
  );
}
