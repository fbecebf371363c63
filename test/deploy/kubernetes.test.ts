/**
 * deploy/k8s and deploy/kustomization.yaml: every manifest parses, the
 * kustomization names files that exist, and the manifests agree with each
 * other and with Vigil — the node config the ConfigMap and Secret make loads,
 * probes and scrape annotations hit the port the node listens on, Services
 * select the pods they mean, and NATS is a three-server JetStream cluster.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config/index.js";
import { DEPLOY_DIR, deployedNodeConfig, deployPath, hostAndPort, readDeploy, yamlDocuments, yamlFile } from "./deploy-files.js";

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: Record<string, unknown>;
}

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}

interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[] };
}

const kustomization = yamlFile("kustomization.yaml") as {
  resources: string[];
  configMapGenerator: { name: string; files: string[] }[];
  secretGenerator: { name: string; files?: string[]; envs?: string[] }[];
};
const manifests: Manifest[] = kustomization.resources.flatMap((file) => yamlDocuments(file) as unknown as Manifest[]);

function find(kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (m === undefined) throw new Error(`no ${kind} ${name} in the manifests`);
  return m;
}

function template(workload: Manifest): PodTemplate {
  return workload.spec?.["template"] as PodTemplate;
}

const vigil = find("StatefulSet", "vigil");
const vigilContainer = template(vigil).spec.containers[0] as Container;

/** The environment of pod `podName`: envFrom ConfigMaps, then env with $(VAR) and the pod name resolved. */
function vigilEnv(podName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of vigilContainer.envFrom ?? []) {
    if (from.configMapRef !== undefined) Object.assign(env, find("ConfigMap", from.configMapRef.name).data);
  }
  for (const e of vigilContainer.env ?? []) {
    if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") env[e.name] = podName;
    else if (e.value !== undefined) env[e.name] = e.value.replace(/\$\((\w+)\)/g, (_, name: string) => env[name] ?? "");
  }
  return env;
}

function portNumber(container: Container, port: string | number): number | undefined {
  return typeof port === "number" ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

describe("deploy/k8s", () => {
  it("names only manifests and generator files that exist (secrets as their committed examples)", () => {
    for (const file of kustomization.resources) expect(existsSync(deployPath(file)), file).toBe(true);
    for (const file of kustomization.configMapGenerator.flatMap((g) => g.files)) expect(existsSync(deployPath(file)), file).toBe(true);
    const secretFiles = kustomization.secretGenerator.flatMap((g) => [...(g.files ?? []).map((f) => f.split("=").at(-1) ?? f), ...(g.envs ?? [])]);
    for (const file of secretFiles) expect(existsSync(deployPath(file.replace(/\.(json|env)$/, ".example.$1"))), file).toBe(true);
  });

  it("sets only VIGIL_* variables that are Vigil settings", () => {
    const names = new Set(SETTINGS.map((s) => s.env));
    expect(Object.keys(vigilEnv("vigil-0")).filter((k) => k.startsWith("VIGIL_") && !names.has(k))).toEqual([]);
  });

  it("gives each Vigil pod a config that loads, with the pod's name as node id and MQTT client id", () => {
    const replicas = vigil.spec?.["replicas"] as number;
    expect(replicas).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < replicas; i++) {
      const config = deployedNodeConfig(vigilEnv(`vigil-${i}`));
      expect(config.node.id).toBe(`vigil-${i}`);
      expect(config.mqtt.clientId).toBe(`vigil-${i}`);
      expect(config).toMatchObject({ cluster: { enabled: true }, transport: { kind: "nats" }, http: { host: "0.0.0.0" } });
    }
  });

  it("reads the config file from the Secret volume it mounts", () => {
    const at = vigilContainer.args?.indexOf("--config") ?? -1;
    const file = vigilContainer.args?.[at + 1] ?? "";
    const mount = vigilContainer.volumeMounts?.find((m) => file.startsWith(m.mountPath + "/"));
    const volume = template(vigil).spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe("vigil-config");
    const generated = kustomization.secretGenerator.find((g) => g.name === "vigil-config");
    expect(generated?.files?.map((f) => f.split("=")[0])).toContain(file.slice((mount?.mountPath.length ?? 0) + 1));
  });

  it("probes readiness and start-up at /api/v1/health and liveness at /metrics, on the node's HTTP port", () => {
    const port = deployedNodeConfig(vigilEnv("vigil-0")).http.port;
    const probes = { readinessProbe: "/api/v1/health", startupProbe: "/api/v1/health", livenessProbe: "/metrics" } as const;
    for (const [probe, path] of Object.entries(probes)) {
      const get = vigilContainer[probe as keyof typeof probes]?.httpGet;
      expect(get?.path, probe).toBe(path);
      expect(portNumber(vigilContainer, get?.port ?? ""), probe).toBe(port);
    }
    expect(vigilContainer.resources?.requests).toBeDefined();
    expect(vigilContainer.resources?.limits).toBeDefined();
  });

  it("has Prometheus scrape /metrics on the node's HTTP port through pod annotations", () => {
    const annotations = template(vigil).metadata.annotations ?? {};
    expect(annotations).toMatchObject({ "prometheus.io/scrape": "true", "prometheus.io/path": "/metrics" });
    expect(Number(annotations["prometheus.io/port"])).toBe(deployedNodeConfig(vigilEnv("vigil-0")).http.port);
    expect(find("ConfigMap", "prometheus-config").data?.["prometheus.yml"]).toContain("__meta_kubernetes_pod_annotation_prometheus_io_scrape");
  });

  it("has every Service select pods of a workload, on ports those pods declare", () => {
    const workloads = manifests.filter((m) => m.kind === "StatefulSet" || m.kind === "Deployment");
    for (const service of manifests.filter((m) => m.kind === "Service")) {
      const selector = service.spec?.["selector"] as Record<string, string>;
      const target = workloads.find((w) => Object.entries(selector).every(([k, v]) => template(w).metadata.labels[k] === v));
      expect(target, service.metadata.name).toBeDefined();
      const containers = target === undefined ? [] : template(target).spec.containers;
      for (const p of service.spec?.["ports"] as { port: number; targetPort?: string | number }[]) {
        const wanted = p.targetPort ?? p.port;
        expect(containers.some((c) => portNumber(c, wanted) !== undefined), `${service.metadata.name}:${wanted}`).toBe(true);
      }
    }
  });

  it("refers only to ConfigMaps and Secrets that the manifests or the kustomization make", () => {
    const configMaps = new Set([...manifests.filter((m) => m.kind === "ConfigMap").map((m) => m.metadata.name), ...kustomization.configMapGenerator.map((g) => g.name)]);
    const secrets = new Set(kustomization.secretGenerator.map((g) => g.name));
    for (const w of manifests.filter((m) => m.kind === "StatefulSet" || m.kind === "Deployment")) {
      const spec = template(w).spec;
      for (const v of spec.volumes ?? []) {
        if (v.configMap !== undefined) expect(configMaps.has(v.configMap.name), `${w.metadata.name}: ${v.configMap.name}`).toBe(true);
        if (v.secret !== undefined) expect(secrets.has(v.secret.secretName), `${w.metadata.name}: ${v.secret.secretName}`).toBe(true);
      }
      for (const from of spec.containers.flatMap((c) => c.envFrom ?? [])) {
        if (from.configMapRef !== undefined) expect(configMaps.has(from.configMapRef.name)).toBe(true);
        if (from.secretRef !== undefined) expect(secrets.has(from.secretRef.name)).toBe(true);
      }
    }
  });

  it("runs NATS as three JetStream servers routed to each other, which the nodes connect to", () => {
    const nats = find("StatefulSet", "nats");
    const replicas = nats.spec?.["replicas"] as number;
    expect(replicas).toBe(3);
    const conf = find("ConfigMap", "nats-config").data?.["nats.conf"] ?? "";
    expect(conf).toMatch(/jetstream\s*\{/);
    const headless = nats.spec?.["serviceName"] as string;
    const pods = Array.from({ length: replicas }, (_, i) => `nats-${i}.${headless}`);
    expect([...conf.matchAll(/nats-route:\/\/([\w.-]+):6222/g)].map((m) => m[1])).toEqual(pods);
    const clientPort = Number(/^\s*port:\s*(\d+)/m.exec(conf)?.[1]);
    const config = deployedNodeConfig(vigilEnv("vigil-0"));
    for (const server of config.transport.nats.servers) {
      const { host, port } = hostAndPort(server);
      expect(pods).toContain(host);
      expect(port).toBe(clientPort);
    }
    expect(config.cluster.replicas).toBeLessThanOrEqual(replicas);
  });

  it("points the nodes at the MQTT and ClickHouse Services", () => {
    const config = deployedNodeConfig(vigilEnv("vigil-0"));
    const mqtt = hostAndPort(config.mqtt.url);
    expect((find("Service", mqtt.host).spec?.["ports"] as { port: number }[]).map((p) => p.port)).toContain(mqtt.port);
    expect(find("ConfigMap", "mosquitto-config").data?.["mosquitto.conf"]).toMatch(new RegExp(`^listener ${mqtt.port}$`, "m"));
    const clickhouse = hostAndPort(config.history.clickhouse.url);
    expect((find("Service", clickhouse.host).spec?.["ports"] as { port: number }[]).map((p) => p.port)).toContain(clickhouse.port);
    const server = template(find("StatefulSet", "clickhouse")).spec.containers[0];
    expect(Object.fromEntries((server?.env ?? []).map((e) => [e.name, e.value]))).toMatchObject({
      CLICKHOUSE_USER: config.history.clickhouse.username,
      CLICKHOUSE_DB: config.history.clickhouse.database,
    });
  });

  it("provisions Grafana from the same files as compose: the ClickHouse datasource the dashboard uses", () => {
    const datasources = yamlFile("grafana/provisioning/datasources/datasources.yml") as { datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[] };
    const clickhouse = datasources.datasources.find((d) => d.type === "grafana-clickhouse-datasource");
    const config = deployedNodeConfig(vigilEnv("vigil-0"));
    expect(clickhouse?.jsonData).toMatchObject({
      host: hostAndPort(config.history.clickhouse.url).host,
      port: hostAndPort(config.history.clickhouse.url).port,
      protocol: "http",
      defaultDatabase: config.history.clickhouse.database,
    });
    const dashboard = JSON.parse(readDeploy("grafana/dashboards/plant.json")) as { panels: { targets: { datasource: { uid: string } }[] }[] };
    const uids = new Set(dashboard.panels.flatMap((p) => p.targets.map((t) => t.datasource.uid)));
    expect([...uids]).toEqual([clickhouse?.uid]);
  });

  // kubectl is not a project dependency: where it is missing this one check cannot run.
  it.skipIf(!hasKubectl())("builds with kustomize into objects of the vigil namespace, the generated ConfigMaps and Secrets wired in", () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-kustomize-"));
    cpSync(DEPLOY_DIR, dir, { recursive: true });
    copyFileSync(join(dir, "secrets/vigil.example.json"), join(dir, "secrets/vigil.json"));
    copyFileSync(join(dir, "secrets/clickhouse.example.env"), join(dir, "secrets/clickhouse.env"));
    let output: string;
    try {
      output = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const built = parseAllDocuments(output).map((d) => d.toJS() as Manifest & { metadata: { namespace?: string } });
    for (const m of built.filter((x) => x.kind !== "Namespace")) expect(m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe("vigil");
    const generated = new Set(built.filter((m) => m.kind === "ConfigMap" || m.kind === "Secret").map((m) => m.metadata.name));
    for (const w of built.filter((m) => m.kind === "StatefulSet" || m.kind === "Deployment")) {
      for (const v of template(w).spec.volumes ?? []) {
        const name = v.configMap?.name ?? v.secret?.secretName;
        if (name !== undefined) expect(generated.has(name), `${w.metadata.name}: ${name}`).toBe(true);
      }
    }
    const vigilVolumes = template(built.find((m) => m.kind === "StatefulSet" && m.metadata.name === "vigil") as Manifest).spec.volumes ?? [];
    expect(vigilVolumes.find((v) => v.name === "config")?.secret?.secretName).toMatch(/^vigil-config-/);
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
