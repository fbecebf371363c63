/**
 * deploy/compose: the files parse, and what they say to each other holds —
 * every VIGIL_* variable names a real setting and the nodes' config loads,
 * and the ports and host names the services use for each other are the ones
 * the other side listens on. (Images cannot be pulled here, so the stack is
 * not started; these checks are what can go stale without anyone noticing.)
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/index.js";
import { deployedNodeConfig, deployPath, envFile, hostAndPort, readDeploy, yamlFile } from "./deploy-files.js";

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: string;
  ports?: string[];
  volumes?: string[];
  depends_on?: string[];
  profiles?: string[];
}

const compose = yamlFile("compose/docker-compose.yml") as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
const services = compose.services;
const nodes = Object.entries(services).filter(([, s]) => s.command?.[0] === "start");
const settingNames = new Set(SETTINGS.map((s) => s.env));

/** A node's environment as compose builds it: the env file, then `environment` over it. */
function nodeEnv(service: Service): Record<string, string> {
  return { ...(service.env_file === undefined ? {} : envFile(`compose/${service.env_file}`)), ...service.environment };
}

describe("deploy/compose", () => {
  it("runs three Vigil nodes and three NATS servers", () => {
    expect(nodes.map(([name]) => name)).toEqual(["vigil-1", "vigil-2", "vigil-3"]);
    expect(Object.keys(services).filter((name) => name.startsWith("nats-"))).toHaveLength(3);
  });

  it("sets only VIGIL_* variables that are Vigil settings, on the nodes and the simulator", () => {
    const vigilServices = Object.entries(services).filter(([, s]) => s.image === "vigil:local");
    expect(vigilServices.length).toBeGreaterThan(nodes.length);
    for (const [name, service] of vigilServices) {
      const unknown = Object.keys(nodeEnv(service)).filter((k) => k.startsWith("VIGIL_") && !settingNames.has(k));
      expect(unknown, name).toEqual([]);
    }
  });

  it("gives every node a config that loads, with its own node id and MQTT client id, in one cluster", () => {
    const configs = nodes.map(([, service]) => deployedNodeConfig(nodeEnv(service)));
    expect(new Set(configs.map((c) => c.node.id)).size).toBe(nodes.length);
    expect(new Set(configs.map((c) => c.mqtt.clientId)).size).toBe(nodes.length);
    for (const c of configs) {
      expect(c).toMatchObject({ cluster: { enabled: true }, transport: { kind: "nats" }, mqtt: { enabled: true }, simulator: { enabled: false } });
      expect(c.mqtt.sharedGroup).not.toBe("");
    }
  });

  it("publishes each node's HTTP port, and Prometheus scrapes /metrics there", () => {
    const prometheus = yamlFile("compose/prometheus/prometheus.yml") as { scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] };
    const job = prometheus.scrape_configs[0];
    expect(job?.metrics_path).toBe("/metrics");
    const expected = nodes.map(([name, service]) => {
      const { http } = deployedNodeConfig(nodeEnv(service));
      expect(service.ports?.map((p) => Number(p.split(":").at(-1))), name).toContain(http.port);
      expect(http.host).toBe("0.0.0.0");
      return `${name}:${http.port}`;
    });
    expect(job?.static_configs.flatMap((s) => s.targets)).toEqual(expected);
  });

  it("points the nodes at the NATS, MQTT and ClickHouse services on the ports those listen on", () => {
    const config = deployedNodeConfig(nodeEnv(nodes[0]?.[1] ?? {}));
    const natsPort = Number(/^port:\s*(\d+)/m.exec(readDeploy("compose/nats/nats.conf"))?.[1]);
    for (const server of config.transport.nats.servers) {
      const { host, port } = hostAndPort(server);
      expect(services[host]?.image, server).toMatch(/^nats:2\.(1[1-9]|[2-9]\d)/);
      expect(port).toBe(natsPort);
    }
    const mqtt = hostAndPort(config.mqtt.url);
    expect(services[mqtt.host]?.image).toMatch(/^eclipse-mosquitto:2/);
    expect(readDeploy("compose/mosquitto/mosquitto.conf")).toMatch(new RegExp(`^listener ${mqtt.port}$`, "m"));
    const clickhouse = hostAndPort(config.history.clickhouse.url);
    expect(services[clickhouse.host]?.image).toMatch(/^clickhouse\/clickhouse-server:/);
    expect(clickhouse.port).toBe(8123);
    expect(services[clickhouse.host]?.environment).toMatchObject({
      CLICKHOUSE_USER: config.history.clickhouse.username,
      CLICKHOUSE_DB: config.history.clickhouse.database,
    });
  });

  it("lists the NATS servers as routes of one cluster", () => {
    const conf = readDeploy("compose/nats/nats.conf");
    const routes = [...conf.matchAll(/nats-route:\/\/([\w-]+):(\d+)/g)].map((m) => m[1]);
    expect(routes.sort()).toEqual(Object.keys(services).filter((name) => name.startsWith("nats-")).sort());
    expect(conf).toMatch(/jetstream\s*\{/);
  });

  it("starts the nodes with the secret config file compose mounts", () => {
    for (const [name, service] of nodes) {
      expect(service.command, name).toEqual(["start", "--config", "/run/secrets/vigil.json"]);
    }
    expect(compose.secrets["vigil.json"]?.file).toBe("../secrets/vigil.json");
    expect(existsSync(deployPath("secrets/vigil.example.json"))).toBe(true);
  });

  it("mounts only files and directories that exist", () => {
    const binds = Object.values(services).flatMap((s) => s.volumes ?? []).map((v) => v.split(":")[0] ?? "").filter((src) => src.startsWith("."));
    expect(binds.length).toBeGreaterThan(0);
    for (const src of binds) expect(existsSync(resolve(deployPath("compose"), src)), src).toBe(true);
    for (const env of Object.values(services).map((s) => s.env_file).filter((f): f is string => f !== undefined)) {
      const path = resolve(deployPath("compose"), env);
      // Secret env files are the user's to make from the committed example.
      expect(existsSync(path) || existsSync(path.replace(/\.env$/, ".example.env")), env).toBe(true);
    }
  });

  it("probes the image's health at /api/v1/health on the HTTP port", () => {
    const port = deployedNodeConfig(nodeEnv(nodes[0]?.[1] ?? {})).http.port;
    expect(readDeploy("Dockerfile")).toContain(`http://127.0.0.1:${port}/api/v1/health`);
  });
});
