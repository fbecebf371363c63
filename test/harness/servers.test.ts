/**
 * The server harness against the real servers: each kind starts and answers,
 * state survives a kill, stopping really ends the processes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { mqttAnswers, portAccepts } from "./probes.js";
import {
  serverBinary,
  startClickHouse,
  startMosquitto,
  startNats,
  stopAllServers,
  ServerStartError,
  type ServerHandle,
} from "./servers.js";

/** Pids of live processes whose command line mentions `text` (each server's data dir is on its command line). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

async function clickhouseQuery(server: ServerHandle, sql: string): Promise<string> {
  const response = await fetch(server.url, { method: "POST", body: sql });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse ${response.status}: ${text}`);
  return text;
}

function defaultPortsOf(server: ServerHandle): boolean {
  return [4222, 1883, 8123, 9000, 9009].includes(server.port);
}

afterAll(stopAllServers);

describe("serverBinary", () => {
  it("points nats at the project's cached nats-server 2.11 or newer, not the system's", () => {
    const binary = serverBinary("nats");
    expect(binary).toContain("/.cache/nats-server/");
    const version = execFileSync(binary, ["--version"], { encoding: "utf8" });
    const [major = 0, minor = 0] = (/v?(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(2011);
  });
});

describe("startNats", () => {
  it("starts a JetStream server on a free loopback port that a real client can use", async () => {
    const nats = await startNats();
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    expect(defaultPortsOf(nats)).toBe(false);
    expect(nats.running).toBe(true);
    const nc = await connect({ servers: nats.url });
    try {
      const info = await (await jetstreamManager(nc)).getAccountInfo();
      expect(info.streams).toBe(0);
    } finally {
      await nc.close();
    }
  });

  it("keeps JetStream data when killed with SIGKILL and started again on the same port", async () => {
    const nats = await startNats();
    const before = await connect({ servers: nats.url });
    const kv = await new Kvm(before).create("harness");
    await kv.put("answer", "42");
    await before.close();

    const port = nats.port;
    await nats.kill();
    expect(nats.running).toBe(false);
    await nats.start();
    expect(nats.port).toBe(port);

    const after = await connect({ servers: nats.url });
    try {
      const entry = await (await new Kvm(after).open("harness")).get("answer");
      expect(entry?.string()).toBe("42");
    } finally {
      await after.close();
    }
  });

  it("runs without JetStream when asked", async () => {
    const nats = await startNats({ jetstream: false });
    const nc = await connect({ servers: nats.url });
    try {
      await expect(jetstreamManager(nc)).rejects.toThrow(/not enabled/);
    } finally {
      await nc.close();
    }
  });

  it("applies a config file's text", async () => {
    const nats = await startNats({ configText: "max_payload: 4096\n" });
    const nc = await connect({ servers: nats.url });
    try {
      expect(nc.info?.max_payload).toBe(4096);
    } finally {
      await nc.close();
    }
  });

  it("rejects with the server's log tail when the server cannot start", async () => {
    const failure = startNats({ configText: "listen: {{{ not a config\n" });
    await expect(failure).rejects.toBeInstanceOf(ServerStartError);
    await expect(failure).rejects.toThrow(/Parse error/);
  });
});

describe("startMosquitto", () => {
  it("starts a broker on a free loopback port that answers MQTT CONNECT with CONNACK", async () => {
    const mosquitto = await startMosquitto();
    expect(mosquitto.url).toBe(`mqtt://127.0.0.1:${mosquitto.port}`);
    expect(defaultPortsOf(mosquitto)).toBe(false);
    expect(await mqttAnswers(mosquitto.port)).toBe(true);
  });
});

describe("startClickHouse", () => {
  it("starts a server whose HTTP port answers SELECT 1", async () => {
    const clickhouse = await startClickHouse();
    expect(clickhouse.url).toBe(`http://127.0.0.1:${clickhouse.port}`);
    expect(defaultPortsOf(clickhouse)).toBe(false);
    expect(await clickhouseQuery(clickhouse, "SELECT 1")).toBe("1\n");
  });

  it("also listens on its native-protocol port", async () => {
    const clickhouse = await startClickHouse();
    expect(clickhouse.nativePort).not.toBe(clickhouse.port);
    expect(await portAccepts(clickhouse.nativePort)).toBe(true);
  });

  it("keeps its tables across a restart", async () => {
    const clickhouse = await startClickHouse();
    await clickhouseQuery(clickhouse, "CREATE TABLE t (x UInt32) ENGINE = MergeTree ORDER BY x");
    await clickhouseQuery(clickhouse, "INSERT INTO t VALUES (1), (2), (3)");
    await clickhouse.restart();
    expect(await clickhouseQuery(clickhouse, "SELECT sum(x) FROM t")).toBe("6\n");
  });
});

describe("stop", () => {
  it("ends the server process, frees its port and keeps its data dir for a later start", async () => {
    const nats = await startNats();
    expect(processesMentioning(nats.dataDir)).toHaveLength(1);
    await nats.stop();
    expect(nats.running).toBe(false);
    expect(processesMentioning(nats.dataDir)).toEqual([]);
    expect(await portAccepts(nats.port)).toBe(false);
    expect(existsSync(nats.dataDir)).toBe(true);
  });

  it("lets restart bring a stopped server back on the same port", async () => {
    const mosquitto = await startMosquitto();
    await mosquitto.stop();
    await mosquitto.restart();
    expect(mosquitto.running).toBe(true);
    expect(await mqttAnswers(mosquitto.port)).toBe(true);
  });
});

describe("stopAllServers", () => {
  it("leaves no server process running and removes every data dir", async () => {
    const servers = await Promise.all([startNats(), startMosquitto(), startClickHouse()]);
    await stopAllServers();
    for (const server of servers) {
      expect(server.running).toBe(false);
      expect(processesMentioning(server.dataDir)).toEqual([]);
      expect(existsSync(server.dataDir)).toBe(false);
    }
    // Nor anything started by earlier tests in this file (data dirs carry our pid;
    // other test files running in parallel have their own servers).
    for (const kind of ["nats", "mosquitto", "clickhouse"]) {
      expect(processesMentioning(`${tmpdir()}/vigil-${kind}-${process.pid}-`)).toEqual([]);
    }
  });
});
