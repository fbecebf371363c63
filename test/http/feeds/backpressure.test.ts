/**
 * Slow clients, with real sockets: a client whose socket is paused stops
 * reading, the kernel's buffers fill, then the server's; past
 * `conflateAboveBytes` it gets latest-value updates instead of a growing
 * queue, and past a hard limit it is disconnected — while a fast client on
 * the same feed receives every event.
 */
import { afterEach, expect, it } from "vitest";
import { FeedClient, startFeedRig, TOKEN, type FeedRig } from "./rig.js";

let rig: FeedRig | undefined;
const clients: FeedClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  rig?.stop();
  rig = undefined;
});

const SENSORS = Array.from({ length: 10 }, (_, i) => `s${i}`);
/** ~1 KiB per event, so the buffers fill after thousands of events rather than tens of thousands. */
const PAD = "x".repeat(1000);

function publishRound(r: FeedRig, round: number, sensors = SENSORS): void {
  for (const sensor of sensors) r.source.publication(`vigil.processed.UNIT001.${sensor}`, JSON.stringify({ unit: "UNIT001", sensor, value: round, pad: PAD }));
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function connectBoth(r: FeedRig): Promise<{ fast: FeedClient; slow: FeedClient }> {
  const fast = await FeedClient.connect(r.url, { headers: { "x-api-key": TOKEN } });
  const slow = await FeedClient.connect(r.url, { headers: { "x-api-key": TOKEN } });
  clients.push(fast, slow);
  await fast.subscribe({ kinds: ["sensor_data"] });
  await slow.subscribe({ kinds: ["sensor_data"] });
  slow.ws.pause();
  return { fast, slow };
}

it("a slow client gets conflated latest values once it falls behind, and ends with every sensor's latest value; a fast client gets everything", async () => {
  const r = (rig = await startFeedRig({ conflateAboveBytes: 64 * 1024, disconnectAboveBytes: 256 * 1024 * 1024, maxBehindMs: 3_600_000 }));
  const { fast, slow } = await connectBoth(r);

  let round = 0;
  while ((await r.metric("vigil_feed_conflations_total")) === 0) {
    publishRound(r, round++);
    await turn();
  }
  // Behind now: many more rounds, of which it should get only the last value of each sensor.
  const last = round + 200;
  while (round <= last) {
    publishRound(r, round++);
    await turn();
  }
  expect(await r.metric("vigil_feed_events_conflated_total")).toBeGreaterThanOrEqual(200 * SENSORS.length);

  await fast.until(() => fast.events().length === round * SENSORS.length || undefined, "every event on the fast client");

  slow.ws.resume();
  const latest = new Map<string, number>();
  await slow.until(() => {
    for (const e of slow.events()) latest.set(e.sensor ?? "", e.data["value"] as number);
    return SENSORS.every((s) => latest.get(s) === last) || undefined;
  }, "every sensor's last value on the slow client");
  expect(slow.frames.some((f) => f.type === "events" && f.conflated === true)).toBe(true);
  expect(slow.events().length).toBeLessThan(round * SENSORS.length);
  // Conflation keeps each sensor's values in order: never an older value after a newer one.
  for (const sensor of SENSORS) {
    const values = slow.events().filter((e) => e.sensor === sensor).map((e) => e.data["value"] as number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  }
  expect(slow.closed).toBeUndefined();
});

it("a slow client holding more conflated keys than allowed is disconnected, and the fast client keeps receiving", async () => {
  const r = (rig = await startFeedRig({ conflateAboveBytes: 64 * 1024, maxConflatedKeys: 50 }));
  const { fast, slow } = await connectBoth(r);

  let round = 0;
  let published = 0;
  while ((await r.metric("vigil_feed_disconnects_total", { reason: "slow_consumer" })) === 0) {
    // New sensors every round: the slow client's held-back keys grow until the limit.
    const sensors = SENSORS.map((s) => `${s}_${round}`);
    publishRound(r, round++, sensors);
    published += sensors.length;
    await turn();
  }
  expect(r.feeds.clientCount).toBe(1);
  publishRound(r, round, ["after"]);
  published += 1;
  await fast.until(() => fast.events().length === published || undefined, "every event on the fast client, the one after the disconnect included");
  expect(fast.events().at(-1)?.sensor).toBe("after");

  slow.ws.resume();
  expect(await slow.whenClosed()).toBe(1006);
});
