/**
 * A directory of files that survive a crash or power cut whole or not at
 * all: the shared ground of the history writer's spool and the notification
 * outbox.
 *
 * A file is written to `<name>.tmp`, fsynced, renamed to its final name and
 * the directory fsynced, so a file under a final name is always complete.
 * `.tmp` leftovers of an interrupted write are removed when the directory
 * opens: their content was never reported as durable to anyone.
 */
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";

const TMP_SUFFIX = ".tmp";

export class DurableDir {
  private constructor(readonly path: string) {}

  /** Opens (creating if needed) the directory and removes what interrupted writes left. */
  static async open(path: string): Promise<DurableDir> {
    await mkdir(path, { recursive: true });
    for (const name of await readdir(path)) {
      if (name.endsWith(TMP_SUFFIX)) await rm(join(path, name), { force: true });
    }
    return new DurableDir(path);
  }

  /** Names of the complete files, sorted (name files by a zero-padded sequence to make this their order). */
  async list(): Promise<string[]> {
    return (await readdir(this.path)).filter((n) => !n.endsWith(TMP_SUFFIX)).sort();
  }

  file(name: string): string {
    return join(this.path, name);
  }

  /** Resolves once the file is durable under `name`; on failure nothing is left under either name. */
  async write(name: string, body: string): Promise<void> {
    const file = this.file(name);
    const tmp = file + TMP_SUFFIX;
    try {
      const handle = await open(tmp, "w");
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    const dir = await open(this.path, "r");
    try {
      await dir.sync(); // the rename itself survives a power cut
    } finally {
      await dir.close();
    }
  }

  read(name: string): Promise<string> {
    return readFile(this.file(name), "utf8");
  }

  async remove(name: string): Promise<void> {
    await rm(this.file(name), { force: true });
  }

  /** Renames a file within the directory (e.g. aside as `.bad`); a missing file is not an error. */
  async rename(name: string, to: string): Promise<void> {
    await rename(this.file(name), this.file(to)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }
}
