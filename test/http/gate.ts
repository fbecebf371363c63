/**
 * The gate every route of an area must keep, as one table-driven spec: no
 * key → 401, a role below the route's → 403, a body that is not the route's
 * → 400, a body over http.maxBodyBytes → 413. Areas list their routes once
 * and call `specifyGate`.
 */
import { describe, expect, it } from "vitest";
import type { Role } from "../../src/http/index.js";
import { codeOf, type ApiRig } from "./rig.js";

export interface GatedRoute {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  /** The least role the route needs. */
  readonly role: Role;
  /** A body the route refuses as malformed (routes that take a body). */
  readonly malformed?: unknown;
}

const BELOW: Readonly<Record<Role, Role | undefined>> = { viewer: undefined, operator: "viewer", admin: "operator" };

/** Call inside a describe; `rig` is read when the specs run (after beforeAll). */
export function specifyGate(rig: () => ApiRig, routes: readonly GatedRoute[], maxBodyBytes: number): void {
  for (const route of routes) {
    describe(`${route.method} ${route.path}`, () => {
      it("answers 401 without a key", async () => {
        const res = await rig().call(route.path, { method: route.method, ...(route.method === "GET" ? {} : { json: {} }) });
        expect(res.status).toBe(401);
        expect(await codeOf(res)).toBe("VIGIL_API_UNAUTHORIZED");
      });

      const below = BELOW[route.role];
      if (below !== undefined) {
        it(`answers 403 to a ${below} key (needs ${route.role})`, async () => {
          const res = await rig().call(route.path, { method: route.method, as: below, ...(route.method === "GET" ? {} : { json: route.malformed ?? {} }) });
          expect(res.status).toBe(403);
          expect(await codeOf(res)).toBe("VIGIL_API_FORBIDDEN");
        });
      }

      if (route.malformed !== undefined) {
        it("answers 400 to a malformed body", async () => {
          const res = await rig().call(route.path, { method: route.method, as: route.role, json: route.malformed });
          expect(res.status).toBe(400);
          expect(await codeOf(res)).toBe("VIGIL_API_BAD_REQUEST");
        });

        it("answers 400 to a body that is not JSON", async () => {
          const res = await rig().call(route.path, { method: route.method, as: route.role, headers: { "content-type": "application/json" }, body: "{not json" });
          expect(res.status).toBe(400);
          expect(await codeOf(res)).toBe("VIGIL_API_BAD_REQUEST");
        });
      }

      if (route.method !== "GET") {
        it("answers 413 to a body over http.maxBodyBytes", async () => {
          const body = JSON.stringify({ padding: "x".repeat(maxBodyBytes) });
          const res = await rig().call(route.path, { method: route.method, as: route.role, headers: { "content-type": "application/json" }, body });
          expect(res.status).toBe(413);
          expect(await codeOf(res)).toBe("VIGIL_API_PAYLOAD_TOO_LARGE");
        });
      }
    });
  }
}
