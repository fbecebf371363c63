/**
 * Ping/pong: the server pings an idle client within `idleTimeoutSec`; a
 * client that answers stays connected however long it is idle, one that
 * does not is closed. Takes two to three idle periods of uWS's 4-second
 * timer granularity.
 */
import { afterEach, expect, it } from "vitest";
import { FeedClient, publishReading, startFeedRig, TOKEN, type FeedRig } from "./rig.js";

let rig: FeedRig | undefined;
const clients: FeedClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  rig?.stop();
  rig = undefined;
});

it("an idle client that answers pings stays connected past the idle timeout; one that does not is closed", { timeout: 60_000 }, async () => {
  const r = (rig = await startFeedRig({ idleTimeoutSec: 8 }));
  const answering = await FeedClient.connect(r.url, { headers: { "x-api-key": TOKEN } });
  const silent = await FeedClient.connect(r.url, { headers: { "x-api-key": TOKEN }, autoPong: false });
  clients.push(answering, silent);
  await answering.subscribe({ kinds: ["sensor_data"] });
  await silent.subscribe({ kinds: ["sensor_data"] });

  await silent.whenClosed();
  // The silent one was closed for its silence; the answering one, as idle since, has been pinged and is still here.
  // Three pings at uWS's ~4 s granularity: idle for longer than the 8 s timeout by then.
  await answering.until(() => answering.pings >= 3 || undefined, "a third ping");
  expect(answering.closed).toBeUndefined();
  publishReading(r.source, "UNIT001", "temperature", 42);
  await answering.until(() => answering.events().length === 1 || undefined, "a reading after the idle period");
  expect(r.feeds.clientCount).toBe(1);
});
