/**
 * Reading the files under deploy/ the way their tools would: YAML (with
 * compose's merge keys, several documents per Kubernetes file), env files,
 * and a Vigil node's config as a deployment assembles it — its VIGIL_*
 * variables plus the secret config file, loaded by the real config loader.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig, type VigilConfig } from "../../src/config/index.js";

export const DEPLOY_DIR = fileURLToPath(new URL("../../deploy/", import.meta.url));

export function deployPath(relative: string): string {
  return join(DEPLOY_DIR, relative);
}

export function readDeploy(relative: string): string {
  return readFileSync(deployPath(relative), "utf8");
}

/** One YAML document; `<<` merge keys resolved, as Docker Compose does. */
export function yamlFile(relative: string): unknown {
  return parse(readDeploy(relative), { merge: true });
}

/** Every document of a multi-document YAML file (Kubernetes manifests); a syntax error throws. */
export function yamlDocuments(relative: string): Record<string, unknown>[] {
  return parseAllDocuments(readDeploy(relative)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${relative}: ${doc.errors.map((e) => e.message).join("; ")}`);
    return doc.toJS() as Record<string, unknown>;
  });
}

/** KEY=VALUE lines; comments and blank lines skipped. */
export function envFile(relative: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readDeploy(relative).split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq < 1) throw new Error(`${relative}: not KEY=VALUE: ${line}`);
    out[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return out;
}

/**
 * The node config a deployment gives Vigil: `env` as its environment and
 * deploy/secrets/vigil.example.json as its config file, with the placeholder
 * key hash filled in as a user would (the loader refuses the placeholder).
 */
export function deployedNodeConfig(env: Record<string, string>): VigilConfig {
  const secret = JSON.parse(readDeploy("secrets/vigil.example.json")) as { http: { keys: { sha256: string }[] } };
  for (const key of secret.http.keys) key.sha256 = "0123456789abcdef".repeat(4);
  const dir = mkdtempSync(join(tmpdir(), "vigil-deploy-"));
  try {
    const file = join(dir, "vigil.json");
    writeFileSync(file, JSON.stringify(secret));
    return loadConfig({ file, env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "nats://nats-1:4222" → { host: "nats-1", port: 4222 } (the scheme's usual port when none is given). */
export function hostAndPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  const defaults: Record<string, number> = { "nats:": 4222, "mqtt:": 1883, "http:": 80 };
  return { host: u.hostname, port: u.port === "" ? (defaults[u.protocol] ?? 0) : Number(u.port) };
}
