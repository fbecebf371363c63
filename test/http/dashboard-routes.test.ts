/**
 * The dashboard's routes: the page with the feeds' path written in, its
 * assets and uPlot from node_modules, and nothing else from the disk.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { ApiEnv } from "../../src/http/api/env.js";
import { dashboardRoutes } from "../../src/http/dashboard/index.js";

function dashboardApp(feedsPath = "/ws"): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  dashboardRoutes({ feedsPath })(app, () => async (_c, next) => next());
  return app;
}

describe("the dashboard's routes", () => {
  it("serve the page at / with the feeds' path written in and a same-origin content security policy", async () => {
    const res = await dashboardApp("/live-feed").request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    const html = await res.text();
    expect(html).toContain('<meta name="vigil-feeds-path" content="/live-feed">');
    expect(html).not.toContain("{{FEEDS_PATH}}");
  });

  it("serve the page's modules and styles with their content types", async () => {
    const app = dashboardApp();
    const js = await app.request("/dashboard/js/main.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    const css = await app.request("/dashboard/dashboard.css");
    expect(css.headers.get("content-type")).toContain("text/css");
  });

  it("serve uPlot from node_modules, not from a CDN", async () => {
    const app = dashboardApp();
    const esm = await app.request("/dashboard/vendor/uPlot.esm.js");
    expect(esm.status).toBe(200);
    expect(await esm.text()).toContain("export { uPlot as default }");
    expect((await app.request("/dashboard/vendor/uPlot.min.css")).status).toBe(200);
  });

  it("answer 404 for any path that is not one of its files", async () => {
    const app = dashboardApp();
    for (const path of ["/dashboard/../package.json", "/dashboard/%2e%2e/routes.ts", "/dashboard/js/nothing.js", "/dashboard/vendor/uPlot.cjs.js"]) {
      expect((await app.request(path)).status, path).toBe(404);
    }
  });
});
