/**
 * WebSocket feed clients for the `ws` bench, run as their own process (they
 * share the cores with the server under test). Opens `count` connections
 * with the `ws` package, each subscribing to everything, and counts the
 * events it receives without parsing the JSON (occurrences of `"kind":`,
 * once per event), so the client side costs as little as it can: the count
 * looks for the byte `k` (memchr, rare in the feed's JSON) and checks the
 * bytes around it, since Buffer.indexOf with a multi-byte needle cost ~0.6 µs
 * per event — about half of what these clients spent, more than the server.
 *
 * Protocol with the parent: stdout lines `ready` once every client has its
 * snapshot, then the running total of events received, at most every 20 ms;
 * it exits when stdin closes.
 *
 * usage: tsx bench/load/ws-clients.ts <url> <count>
 */
import WebSocket from "ws";

const [url = "", countArg = "1"] = process.argv.slice(2);
const count = Number(countArg);
/** Handshakes in flight at once: bounded so the listen backlog never overflows. */
const CONNECTING = 200;
const KIND = Buffer.from('"kind":');
const K = KIND[1] ?? 0; // "k"

let events = 0;
const sockets: WebSocket[] = [];

/** Occurrences of `"kind":` in `data`: a memchr for each `k`, then the other six bytes compared one by one (Buffer.compare is a native call too). */
function countEvents(data: Buffer): number {
  let n = 0;
  for (let at = data.indexOf(K, 1); at >= 0; at = data.indexOf(K, at + 1)) {
    let j = 0;
    while (j < KIND.length && data[at - 1 + j] === KIND[j]) j++;
    if (j === KIND.length) n++;
  }
  return n;
}

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, headers: { "x-api-key": "bench" } });
    sockets.push(ws);
    let subscribed = false;
    ws.on("message", (data: Buffer) => {
      if (subscribed) events += countEvents(data);
      else if (data.includes('"type":"snapshot"') && data.includes('"last":true')) {
        subscribed = true;
        resolve();
      }
    });
    ws.once("open", () => ws.send(JSON.stringify({ type: "subscribe", id: "all" })));
    ws.once("error", reject);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(CONNECTING, count) }, async () => {
    while (next < count) {
      next++;
      await open();
    }
  }),
);
process.stdout.write("ready\n");

let reported = -1;
setInterval(() => {
  if (events !== reported) {
    reported = events;
    process.stdout.write(`${events}\n`);
  }
}, 20);
process.stdin.on("end", () => {
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
process.stdin.resume();
