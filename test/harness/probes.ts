/**
 * Network helpers for the server harness: pick free loopback ports, and ask a
 * server whether it really answers its protocol (an open socket alone can come
 * before the server is ready to serve).
 */
import net from "node:net";

export const LOOPBACK = "127.0.0.1";

/** One probe never waits longer than this; the caller polls until its own deadline. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * `count` distinct ports that were free a moment ago: the kernel's picks for
 * listeners on port 0, all held open together so no pick repeats. Another
 * process can still take one before the server binds; the harness retries with
 * new ports when a server reports "address already in use".
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      ports.push(await listenOnAnyPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("freePorts(1) returned no port");
  return port;
}

function listenOnAnyPort(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address !== null && typeof address === "object") resolve(address.port);
      else reject(new Error(`unexpected listener address ${String(address)}`));
    });
  });
}

/**
 * Connects, optionally writes `hello`, and resolves with whether the bytes read
 * back satisfy `accept` before the probe timeout. Never rejects: a refused or
 * silent connection is just "not yet".
 */
function exchange(
  port: number,
  hello: Uint8Array | undefined,
  accept: (received: Buffer) => boolean | undefined,
  goodbye?: Uint8Array,
): Promise<boolean> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = net.connect({ host: LOOPBACK, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => undefined); // late errors after we are done are irrelevant
      if (ok && goodbye !== undefined) socket.end(goodbye);
      else socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    socket.once("error", () => finish(false));
    socket.once("close", () => finish(false));
    socket.once("connect", () => {
      if (hello !== undefined) socket.write(hello);
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const verdict = accept(received); // undefined: need more bytes
      if (verdict !== undefined) finish(verdict);
    });
  });
}

/** NATS greets every client with an `INFO {...}\r\n` line once it accepts clients. */
export function natsAnswers(port: number): Promise<boolean> {
  return exchange(port, undefined, (bytes) => {
    const end = bytes.indexOf("\r\n");
    return end < 0 ? undefined : bytes.subarray(0, 5).toString("latin1") === "INFO ";
  });
}

/** MQTT 3.1.1 CONNECT: clean session, keep-alive 60 s, client id "vigil-probe". */
const MQTT_CONNECT = Buffer.from([
  0x10, 23, // CONNECT, remaining length
  0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, // "MQTT"
  0x04, // protocol level 4 = 3.1.1
  0x02, // flags: clean session
  0x00, 0x3c, // keep-alive 60 s
  0x00, 0x0b, ...Buffer.from("vigil-probe", "latin1"),
]);
const MQTT_DISCONNECT = Buffer.from([0xe0, 0x00]);

/** A broker is ready when it answers CONNECT with CONNACK, return code 0 (accepted). */
export function mqttAnswers(port: number): Promise<boolean> {
  return exchange(
    port,
    MQTT_CONNECT,
    (bytes) => (bytes.length < 4 ? undefined : bytes[0] === 0x20 && bytes[1] === 0x02 && bytes[3] === 0x00),
    MQTT_DISCONNECT,
  );
}

/** ClickHouse's HTTP interface answers GET /ping with "Ok.\n" once it serves queries. */
export async function clickhouseAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://${LOOPBACK}:${port}/ping`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok && (await response.text()).trim() === "Ok.";
  } catch {
    return false;
  }
}

/** Whether anything accepts TCP connections on the port (to check a stopped server freed it). */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const finish = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}
