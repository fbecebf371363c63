/**
 * The operator dashboard on the node's own server: the page at `/` (and
 * `/dashboard/`), its ES modules and CSS under `/dashboard/`, and uPlot's
 * files under `/dashboard/vendor/` straight from node_modules — no build
 * step, no build server, no CDN (a plant network often has no internet).
 *
 * The assets are plain files in ./assets, next to this module: from the
 * sources that is src/http/dashboard/assets; `npm run build` copies the
 * folder to dist/src/http/dashboard/assets, since tsc copies no non-TS file.
 * The page itself is public (it holds no data); everything it shows comes
 * through the API and the feeds with the operator's key.
 */
import { readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RouteModule } from "../api/app.js";

export const DASHBOARD_PREFIX = "/dashboard";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** The page may load and connect only to its own origin; styles come from files and the CSSOM only. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export interface DashboardOptions {
  /** The WebSocket feeds' route (feeds.path), written into the page. */
  readonly feedsPath: string;
  /** @default the assets folder next to this module */
  readonly assetsDir?: string;
}

export function defaultAssetsDir(): string {
  return fileURLToPath(new URL("./assets/", import.meta.url));
}

function uplotDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve("uplot"));
}

/**
 * URL path (below /dashboard/) → file, fixed when the routes are made: a
 * request can only ever name one of these, so no path from the URL reaches
 * the file system.
 */
export function dashboardFiles(assetsDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(assetsDir, { recursive: true, encoding: "utf8" })) {
    const file = path.join(assetsDir, entry);
    if (TYPES[path.extname(entry)] !== undefined && statSync(file).isFile()) files.set(entry.split(path.sep).join("/"), file);
  }
  const vendor = uplotDir();
  files.set("vendor/uPlot.esm.js", path.join(vendor, "uPlot.esm.js"));
  files.set("vendor/uPlot.min.css", path.join(vendor, "uPlot.min.css"));
  return files;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function dashboardRoutes(o: DashboardOptions): RouteModule {
  const files = dashboardFiles(o.assetsDir ?? defaultAssetsDir());
  const cache = new Map<string, Promise<Buffer>>();
  const read = (file: string): Promise<Buffer> => {
    let content = cache.get(file);
    if (content === undefined) {
      content = readFile(file);
      content.catch(() => cache.delete(file));
      cache.set(file, content);
    }
    return content;
  };
  const page = async (): Promise<string> => {
    const file = files.get("index.html");
    if (file === undefined) throw new Error("the dashboard's index.html is missing");
    return (await read(file)).toString("utf8").replace("{{FEEDS_PATH}}", escapeAttribute(o.feedsPath));
  };
  return (app) => {
    for (const route of ["/", DASHBOARD_PREFIX, `${DASHBOARD_PREFIX}/`]) {
      app.get(route, async (c) => c.html(await page(), 200, { ...PAGE_HEADERS, "cache-control": "no-cache" }));
    }
    app.get(`${DASHBOARD_PREFIX}/*`, async (c) => {
      const name = c.req.path.slice(DASHBOARD_PREFIX.length + 1);
      const file = files.get(name);
      if (file === undefined || name === "index.html") return c.notFound();
      const type = TYPES[path.extname(name)] ?? "application/octet-stream";
      // no-cache: revalidated on each load, so a node upgrade never leaves a mix of old and new modules.
      return c.body(new Uint8Array(await read(file)), 200, { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
    });
  };
}
