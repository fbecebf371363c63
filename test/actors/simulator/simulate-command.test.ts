/**
 * `vigil simulate` run as a real child process: the simulator on its own,
 * publishing to a real Mosquitto, or serving from its OPC UA server to a
 * real node-opcua client, until it is told to stop.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { connectAsync } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../harness/probes.js";
import { startMosquitto, stopAllServers, type ServerHandle } from "../../harness/servers.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
let broker: ServerHandle;
const running: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

afterAll(stopAllServers);

function vigil(args: readonly string[]): ChildProcessWithoutNullStreams {
  // The parent's VIGIL_* settings must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIGIL_")));
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, env });
  running.push(child);
  return child;
}

/** Resolves with the first JSON log line on stdout whose msg is `msg`. */
function logged(child: ChildProcessWithoutNullStreams, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line["msg"] === msg) resolve(line);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`vigil simulate exited (${code}) before logging "${msg}"`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

// Each test starts node with the TypeScript loader (and the OPC UA one node-opcua, creating its certificate on a fresh
// checkout), which takes long on a busy 2-core machine running two test files at a time: 30 s was not enough there.
describe("vigil simulate", { timeout: 120_000 }, () => {
  it("publishes every sensor of every unit to scada/{unit}/{sensor} until SIGTERM, then exits 0", async () => {
    const subscriber = await connectAsync(broker.url);
    const topics = new Set<string>();
    const tenTopics = new Promise<void>((resolve) =>
      subscriber.on("message", (topic) => {
        topics.add(topic);
        if (topics.size === 10) resolve();
      }),
    );
    await subscriber.subscribeAsync("scada/#");
    const child = vigil(["simulate", "--publish", "mqtt", "--mqtt-url", broker.url, "--units", "2", "--log-level", "warn"]);
    try {
      await tenTopics;
      expect([...topics].sort()).toEqual(
        ["UNIT001", "UNIT002"].flatMap((u) => ["flow_rate", "power", "pressure", "temperature", "vibration"].map((s) => `scada/${u}/${s}`)),
      );
      const code = exited(child);
      child.kill("SIGTERM");
      expect(await code).toBe(0);
    } finally {
      await subscriber.endAsync();
    }
  });

  it("refuses the in-process gateway publisher, which needs a node, with exit code 2", async () => {
    const child = vigil(["simulate"]);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited(child)).toBe(2);
    expect(stderr).toContain("simulator.publishers: gateway needs a running node");
  });

  it("serves every sensor's value from its OPC UA server, read by a node-opcua client", async () => {
    const port = await freePort();
    const child = vigil(["simulate", "--publish", "opcua", "--opcua-port", String(port), "--units", "2", "--log-level", "info"]);
    const listening = logged(child, "simulator OPC UA server listening");
    const started = logged(child, "simulator started");
    const { endpointUrl } = (await listening) as { endpointUrl: string };
    await started;
    expect(endpointUrl).toBe(`opc.tcp://127.0.0.1:${port}`);
    const { OPCUAClient, AttributeIds } = await import("node-opcua");
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(endpointUrl);
    try {
      const session = await client.createSession();
      const nodes = ["UNIT001.temperature", "UNIT002.vibration"].map((id) => ({ nodeId: `ns=1;s=${id}`, attributeId: AttributeIds.Value }));
      const values = await session.read(nodes);
      for (const v of values) {
        expect(v.statusCode.isGood()).toBe(true);
        expect(typeof v.value.value).toBe("number");
      }
      await session.close();
    } finally {
      await client.disconnect();
    }
    const code = exited(child);
    child.kill("SIGTERM");
    expect(await code).toBe(0);
  });
});
