/**
 * The disk spool: batches the store could not take yet, one file per batch
 * in one directory, named by sequence number so a directory listing is the
 * drain order.
 *
 * Crash safety comes from DurableDir (src/runtime/durable-dir.ts): a file
 * under a final name is always complete, and `.tmp` leftovers of a crash are
 * removed when the spool opens (their batches never left the writer's memory
 * as "spooled").
 *
 * Every file is known to an in-memory index from the moment its write
 * starts, so the sender can wait for a batch still being written instead of
 * skipping it (that would break the order).
 *
 * The directory is locked (spool-lock.ts) from open until close, so a
 * second writer on it — in this process or another — is refused; the lock
 * comes first, before DurableDir clears `.tmp` files another writer may be
 * writing.
 */
import { mkdir, stat } from "node:fs/promises";
import { DurableDir } from "../../runtime/durable-dir.js";
import { BATCH_KINDS, type BatchKind, type HistoryBatch } from "./batch.js";
import { lockSpoolDir, type SpoolLock } from "./spool-lock.js";

const FILE_PATTERN = new RegExp(`^(\\d{16})\\.(${BATCH_KINDS.join("|")})\\.json$`);

interface SpoolEntry {
  readonly seq: number;
  readonly kind: BatchKind;
  readonly name: string;
  bytes: number;
  /** Settles once the file is durable under its final name. */
  readonly written: Promise<void>;
}

export class Spool {
  private readonly entries: SpoolEntry[] = [];
  private totalBytes = 0;

  private constructor(
    private readonly dir: DurableDir,
    private readonly lock: SpoolLock,
  ) {}

  /**
   * Locks (creating if needed) the spool directory and indexes the batches a
   * previous writer left. VIGIL_HISTORY_SPOOL_LOCKED when another writer holds it.
   */
  static async open(path: string): Promise<Spool> {
    await mkdir(path, { recursive: true });
    const lock = await lockSpoolDir(path);
    try {
      return await Spool.index(await DurableDir.open(path), lock);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static async index(dir: DurableDir, lock: SpoolLock): Promise<Spool> {
    const spool = new Spool(dir, lock);
    for (const name of await dir.list()) {
      const match = FILE_PATTERN.exec(name);
      if (match === null) continue;
      const kind = match[2] as BatchKind;
      if (!BATCH_KINDS.includes(kind)) continue;
      const { size } = await stat(dir.file(name));
      spool.entries.push({ seq: Number(match[1]), kind, name, bytes: size, written: Promise.resolve() });
      spool.totalBytes += size;
    }
    return spool;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get batches(): number {
    return this.entries.length;
  }

  /** The highest sequence number on disk, or -1: a new writer continues after it. */
  get lastSeq(): number {
    return this.entries.at(-1)?.seq ?? -1;
  }

  /**
   * Starts writing a batch; the index knows it at once. Batches may be
   * appended out of sequence (memory spilled behind newer spooled batches):
   * the index stays sorted by seq.
   */
  append(batch: HistoryBatch): Promise<void> {
    const name = `${String(batch.seq).padStart(16, "0")}.${batch.kind}.json`;
    const body = JSON.stringify(batch.rows);
    const entry: SpoolEntry = { seq: batch.seq, kind: batch.kind, name, bytes: 0, written: this.dir.write(name, body) };
    const at = this.entries.findIndex((e) => e.seq > batch.seq);
    this.entries.splice(at === -1 ? this.entries.length : at, 0, entry);
    return entry.written.then(
      () => {
        entry.bytes = Buffer.byteLength(body);
        this.totalBytes += entry.bytes;
      },
      (err: unknown) => {
        // Not on disk: forget it, so the sender does not wait on it forever; the caller counts the loss.
        this.entries.splice(this.entries.indexOf(entry), 1);
        throw err;
      },
    );
  }

  /** The oldest batch, read back from disk (waiting for its write), or undefined when the spool is empty. */
  async oldest(): Promise<HistoryBatch | undefined> {
    const entry = this.entries[0];
    if (entry === undefined) return undefined;
    await entry.written;
    const rows: unknown = JSON.parse(await this.dir.read(entry.name));
    return { seq: entry.seq, kind: entry.kind, rows } as HistoryBatch;
  }

  /**
   * Moves an unreadable batch file aside (`.bad`, kept for a person to look
   * at) so it does not block the batches behind it. Returns its size.
   */
  async quarantine(seq: number): Promise<number> {
    const entry = this.entries.find((e) => e.seq === seq);
    if (entry === undefined) return 0;
    await this.dir.rename(entry.name, `${entry.name}.bad`).catch(() => undefined);
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.totalBytes -= entry.bytes;
    return entry.bytes;
  }

  /** The oldest batch's sequence number, without reading it. */
  get oldestSeq(): number | undefined {
    return this.entries[0]?.seq;
  }

  /** Removes a batch once the store has it. */
  async remove(seq: number): Promise<void> {
    const at = this.entries.findIndex((e) => e.seq === seq);
    const entry = this.entries[at];
    if (entry === undefined) return;
    await entry.written;
    await this.dir.remove(entry.name);
    this.entries.splice(this.entries.indexOf(entry), 1);
    this.totalBytes -= entry.bytes;
  }

  /** Settles when every write started so far is durable (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.entries.map((e) => e.written));
  }

  /** Waits for the writes under way, then lets the next writer have the directory. */
  async close(): Promise<void> {
    await this.settled();
    await this.lock.release();
  }
}
