/**
 * The Swagger UI page at /api/v1/docs, served from swagger-ui-dist's own
 * files (no CDN: a plant network often has no internet), reading the
 * generated document at /api/v1/openapi.json. Public, like the document.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { RouteModule } from "../api/app.js";
import { API_PREFIX } from "../api/env.js";

const ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Vigil control API</title>
<link rel="stylesheet" href="${API_PREFIX}/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${API_PREFIX}/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "${API_PREFIX}/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true });
</script>
</body>
</html>
`;

function assetDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve("swagger-ui-dist/package.json"));
}

export function docsRoutes(): RouteModule {
  const cache = new Map<string, Promise<Buffer>>();
  const asset = (name: string): Promise<Buffer> => {
    let file = cache.get(name);
    if (file === undefined) {
      file = readFile(path.join(assetDir(), name));
      cache.set(name, file);
    }
    return file;
  };
  return (app) => {
    app.get(`${API_PREFIX}/docs`, (c) => c.html(PAGE));
    app.get(`${API_PREFIX}/docs/:asset`, async (c) => {
      const name = c.req.param("asset");
      const type = ASSETS[name];
      if (type === undefined) return c.notFound();
      return c.body(new Uint8Array(await asset(name)), 200, { "content-type": type, "cache-control": "public, max-age=86400" });
    });
  };
}
