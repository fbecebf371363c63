/**
 * The baseline a plant engineer would otherwise build: a Node-RED 4 flow
 * doing the same job as Vigil's pipeline — MQTT in, a rolling z-score per
 * topic, a threshold, MQTT out — run as its own process on the same broker.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

/** Welford's running mean and variance per topic, then |z| > 3 is anomalous. */
const Z_SCORE_FUNCTION = `
const s = context.get(msg.topic) || { n: 0, mean: 0, m2: 0 };
const v = typeof msg.payload === "number" ? msg.payload : Number(msg.payload.value);
s.n++; const d = v - s.mean; s.mean += d / s.n; s.m2 += d * (v - s.mean);
context.set(msg.topic, s);
const sd = s.n > 1 ? Math.sqrt(s.m2 / (s.n - 1)) : 0;
const z = sd > 0 ? (v - s.mean) / sd : 0;
msg.topic = "nodered/out/" + msg.topic;
msg.payload = { value: v, z, anomaly: Math.abs(z) > 3, ts: msg.payload.timestamp };
return msg;`;

export interface NodeRedBaseline {
  /** Topic filter the flow subscribes to; publish `<prefix>/<unit>/<sensor>`. */
  readonly inputPrefix: string;
  /** Where processed readings come out: `nodered/out/<input topic>`. */
  readonly outputFilter: string;
  stop(): Promise<void>;
}

export function startNodeRed(brokerPort: number): NodeRedBaseline {
  const dir = mkdtempSync(path.join(tmpdir(), "vigil-nodered-"));
  const inputPrefix = "nodered/in";
  const flows = [
    { id: "tab", type: "tab", label: "baseline" },
    { id: "broker", type: "mqtt-broker", broker: "127.0.0.1", port: String(brokerPort), clientid: "", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "in", type: "mqtt in", z: "tab", topic: `${inputPrefix}/+/+`, qos: "0", datatype: "json", broker: "broker", nl: false, rap: true, rh: 0, inputs: 0, wires: [["fn"]] },
    { id: "fn", type: "function", z: "tab", name: "rolling z-score", func: Z_SCORE_FUNCTION, outputs: 1, wires: [["out"]] },
    { id: "out", type: "mqtt out", z: "tab", topic: "", qos: "0", retain: "false", broker: "broker", wires: [] },
  ];
  writeFileSync(path.join(dir, "flows.json"), JSON.stringify(flows));
  writeFileSync(
    path.join(dir, "settings.js"),
    `module.exports = { uiPort: 0, uiHost: "127.0.0.1", httpAdminRoot: false, httpNodeRoot: false, flowFile: "flows.json", userDir: ${JSON.stringify(dir)}, credentialSecret: "bench", logging: { console: { level: "warn" } }, editorTheme: { projects: { enabled: false } } };\n`,
  );
  const red = createRequire(import.meta.url).resolve("node-red/red.js");
  const child: ChildProcess = spawn(process.execPath, [red, "--settings", path.join(dir, "settings.js"), "--userDir", dir], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    inputPrefix,
    outputFilter: "nodered/out/#",
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
      if (child.exitCode !== 0 && child.exitCode !== null && stderr !== "") process.stderr.write(`node-red: ${stderr.slice(-2000)}\n`);
    },
  };
}
