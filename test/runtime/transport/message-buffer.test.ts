import { describe, expect, it } from "vitest";
import { MessageBuffer } from "../../../src/runtime/transport/message-buffer.js";

function numbers(maxMessages: number, onReturn = (): void => {}): MessageBuffer<number> {
  return new MessageBuffer<number>({ maxMessages, maxBytes: Number.MAX_SAFE_INTEGER }, { sizeOf: () => 1, onReturn });
}

describe("MessageBuffer", () => {
  it("yields values in FIFO order across ring growth and wrap-around", async () => {
    const buffer = numbers(10_000);
    const model: number[] = [];
    let next = 0;
    // Interleave pushes and takes so head wraps around while the ring grows.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7 + round; i++) {
        buffer.push(next);
        model.push(next++);
      }
      for (let i = 0; i < 5 + (round % 3); i++) {
        const r = await buffer.next();
        expect(r.value).toBe(model.shift());
      }
    }
    expect(buffer.pending).toBe(model.length);
    expect(buffer.dropped).toBe(0);
  });

  it("drops the oldest values once full and counts them", async () => {
    const buffer = numbers(3);
    for (let i = 0; i < 8; i++) buffer.push(i);
    expect(buffer.dropped).toBe(5);
    buffer.end();
    const got: number[] = [];
    for await (const v of buffer) got.push(v);
    expect(got).toEqual([5, 6, 7]);
  });

  it("hands a value straight to a waiting consumer", async () => {
    const buffer = numbers(1);
    const waiting = buffer.next();
    buffer.push(42);
    expect(await waiting).toEqual({ done: false, value: 42 });
    expect(buffer.pending).toBe(0);
  });

  it("ends a waiting consumer when the buffer ends", async () => {
    const buffer = numbers(4);
    const waiting = buffer.next();
    buffer.end();
    expect((await waiting).done).toBe(true);
    buffer.push(1); // ignored after end
    expect(buffer.pending).toBe(0);
  });

  it("reports an end error once, after the buffered values, then ends", async () => {
    const buffer = numbers(4);
    buffer.push(1);
    buffer.end(new Error("boom"));
    expect((await buffer.next()).value).toBe(1);
    await expect(buffer.next()).rejects.toThrow("boom");
    expect((await buffer.next()).done).toBe(true);
  });

  it("poll takes the oldest buffered value without waiting, and nothing once the buffer is empty", () => {
    const buffer = numbers(4);
    buffer.push(1);
    buffer.push(2);
    expect(buffer.poll()).toBe(1);
    expect(buffer.poll()).toBe(2);
    expect(buffer.poll()).toBeUndefined();
    expect(buffer.pending).toBe(0);
  });

  it("a consumer catching up by poll re-arms the slow-consumer signal", async () => {
    let signals = 0;
    const buffer = new MessageBuffer<number>({ maxMessages: 2, maxBytes: Number.MAX_SAFE_INTEGER }, { sizeOf: () => 1, onReturn: () => {}, onSlow: () => signals++ });
    for (let i = 0; i < 3; i++) buffer.push(i);
    buffer.poll();
    buffer.poll();
    for (let i = 0; i < 3; i++) buffer.push(i);
    await Promise.resolve();
    expect(signals).toBe(2);
  });

  it("return() discards the buffer and tells the feed to stop", async () => {
    let returned = 0;
    const buffer = numbers(4, () => returned++);
    buffer.push(1);
    buffer.push(2);
    await buffer.return();
    expect(returned).toBe(1);
    expect(buffer.pending).toBe(0);
    expect((await buffer.next()).done).toBe(true);
  });
});
