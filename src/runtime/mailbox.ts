/**
 * A bounded FIFO mailbox. Storage grows lazily (an idle actor holds no
 * buffer) up to the declared capacity; what happens past it is the kind's
 * declared overflow policy, never unbounded growth.
 */

export type OverflowPolicy = "backpressure" | "drop-oldest";

export interface MailboxPolicy {
  /** @default 1024 */
  capacity: number;
  /** @default "backpressure" */
  overflow: OverflowPolicy;
}

export const DEFAULT_MAILBOX: MailboxPolicy = { capacity: 1024, overflow: "backpressure" };

const INITIAL_SLOTS = 4;

export class Mailbox<T> {
  private buf: (T | undefined)[] | null = null;
  private head = 0;
  private len = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.len;
  }

  get isFull(): boolean {
    return this.len >= this.capacity;
  }

  /**
   * Append; when full, drop and return the oldest item (drop-oldest).
   * Callers applying backpressure check `isFull` first; `force` lets an item
   * admitted by an upstream budget in beyond capacity.
   */
  push(item: T, force = false): T | undefined {
    let dropped: T | undefined;
    if (this.len >= this.capacity && !force) dropped = this.shift();
    let buf = this.buf;
    if (buf === null) {
      buf = this.buf = new Array<T | undefined>(Math.min(INITIAL_SLOTS, Math.max(1, this.capacity)));
    } else if (this.len === buf.length) {
      buf = this.grow(buf);
    }
    buf[(this.head + this.len) % buf.length] = item;
    this.len++;
    return dropped;
  }

  shift(): T | undefined {
    const buf = this.buf;
    if (this.len === 0 || buf === null) return undefined;
    const item = buf[this.head];
    buf[this.head] = undefined;
    this.head = (this.head + 1) % buf.length;
    this.len--;
    return item;
  }

  /** Remove and return everything, oldest first; releases storage. */
  drain(): T[] {
    const out: T[] = [];
    while (this.len > 0) out.push(this.shift() as T);
    this.buf = null;
    this.head = 0;
    return out;
  }

  private grow(buf: (T | undefined)[]): (T | undefined)[] {
    const next = new Array<T | undefined>(buf.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = buf[(this.head + i) % buf.length];
    this.head = 0;
    this.buf = next;
    return next;
  }
}
