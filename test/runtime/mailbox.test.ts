import { describe, expect, it } from "vitest";
import { Mailbox } from "../../src/runtime/mailbox.js";

/** The ring buffer behind a mailbox (private; read only to check that it grows lazily). */
function storage(mailbox: Mailbox<unknown>): unknown[] | null {
  return (mailbox as unknown as { buf: unknown[] | null }).buf;
}

function contents<T>(mailbox: Mailbox<T>): T[] {
  return mailbox.drain();
}

describe("Mailbox", () => {
  it("hands items out in the order they were pushed, also after its ring wraps around", () => {
    const mailbox = new Mailbox<number>(64);
    const out: number[] = [];
    let next = 0;
    // Interleave pushes and shifts so head and tail pass the end of the ring many
    // times, and the ring grows while wrapped (net +1 per round, below capacity).
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3; i++) mailbox.push(next++);
      for (let i = 0; i < 2; i++) out.push(mailbox.shift() as number);
    }
    out.push(...mailbox.drain());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
  });

  it("holds no storage while empty and grows only as items arrive, not to its capacity", () => {
    const mailbox = new Mailbox<number>(1_000_000);
    expect(storage(mailbox)).toBeNull();
    mailbox.push(1);
    const first = storage(mailbox)?.length ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(4);
    for (let i = 0; i < 100; i++) mailbox.push(i);
    expect(storage(mailbox)?.length).toBeGreaterThanOrEqual(101);
    expect(storage(mailbox)?.length).toBeLessThanOrEqual(256);
  });

  it("releases its storage when drained", () => {
    const mailbox = new Mailbox<number>(16);
    for (let i = 0; i < 10; i++) mailbox.push(i);
    mailbox.drain();
    expect(mailbox.size).toBe(0);
    expect(storage(mailbox)).toBeNull();
  });

  it("when full, drops the oldest item and returns it (drop-oldest)", () => {
    const mailbox = new Mailbox<string>(3);
    expect([mailbox.push("a"), mailbox.push("b"), mailbox.push("c")]).toEqual([undefined, undefined, undefined]);
    expect(mailbox.isFull).toBe(true);
    expect(mailbox.push("d")).toBe("a");
    expect(mailbox.push("e")).toBe("b");
    expect(contents(mailbox)).toEqual(["c", "d", "e"]);
  });

  it("never holds more than its capacity", () => {
    const mailbox = new Mailbox<number>(5);
    const dropped: number[] = [];
    for (let i = 0; i < 100; i++) {
      const d = mailbox.push(i);
      if (d !== undefined) dropped.push(d);
      expect(mailbox.size).toBeLessThanOrEqual(5);
    }
    expect(mailbox.size).toBe(5);
    expect(dropped).toEqual(Array.from({ length: 95 }, (_, i) => i));
    expect(contents(mailbox)).toEqual([95, 96, 97, 98, 99]);
  });

  it("reports full exactly at its capacity", () => {
    const mailbox = new Mailbox<number>(2);
    expect(mailbox.isFull).toBe(false);
    mailbox.push(1);
    expect(mailbox.isFull).toBe(false);
    mailbox.push(2);
    expect(mailbox.isFull).toBe(true);
    mailbox.shift();
    expect(mailbox.isFull).toBe(false);
  });

  it("admits a forced item beyond capacity without dropping (a message already admitted by an in-flight budget)", () => {
    const mailbox = new Mailbox<number>(2);
    mailbox.push(1);
    mailbox.push(2);
    expect(mailbox.push(3, true)).toBeUndefined();
    expect(mailbox.size).toBe(3);
    expect(contents(mailbox)).toEqual([1, 2, 3]);
  });

  it("answers undefined when shifted empty", () => {
    const mailbox = new Mailbox<number>(2);
    expect(mailbox.shift()).toBeUndefined();
    mailbox.push(1);
    mailbox.shift();
    expect(mailbox.shift()).toBeUndefined();
  });
});
