/**
 * Alarm rules and alarms through the control API of a real node: an admin
 * adds a rule, readings posted to /ingest raise its alarm, and the
 * operator's acknowledge, shelve, unshelve and feedback change the alarm as
 * the list route shows it; feedback reaches history as a label. Rules are
 * versioned; viewers read, only admins change them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "../fixtures/until.js";
import { specifyGate } from "./gate.js";
import { codeOf, startApiRig, type ApiRig } from "./rig.js";

const MAX_BODY_BYTES = 16 * 1024;
const RULE = { id: "api-hot", severity: "HIGH", category: "THERMAL", message: "{unit} {sensor} at {value}", unit: "ALARM01", condition: { type: "greater_than", sensor: "temperature", value: 90 } };
const ALARM_ID = "ALARM01/api-hot/temperature";
const ALARM_PATH = `/api/v1/alarms/${encodeURIComponent(ALARM_ID)}`;

let rig: ApiRig;

interface AlarmBody {
  id: string;
  state: string;
  acknowledgedBy: string | null;
  shelvedUntil: number | null;
  feedback: string | null;
  comment: string | null;
}

async function alarmsOf(query = ""): Promise<AlarmBody[]> {
  const res = await rig.call(`/api/v1/alarms${query}`, { as: "viewer" });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alarms: AlarmBody[] }).alarms;
}

async function listed(): Promise<AlarmBody | undefined> {
  return (await alarmsOf("?unit=ALARM01")).find((a) => a.id === ALARM_ID);
}

beforeAll(async () => {
  rig = await startApiRig({ http: { maxBodyBytes: MAX_BODY_BYTES } });
  expect((await rig.call("/api/v1/rules", { method: "POST", as: "admin", json: RULE })).status).toBe(201);
  const res = await rig.call("/api/v1/ingest", { method: "POST", as: "operator", json: [{ unit: "ALARM01", sensor: "temperature", value: 95, timestamp: Date.now() - 1000 }] });
  expect(res.status).toBe(202);
  await until(async () => (await listed())?.state === "active_unacknowledged", "the alarm raised by the posted reading");
});

afterAll(async () => {
  await rig?.stop();
});

describe("the gate", () => {
  specifyGate(
    () => rig,
    [
      { method: "GET", path: "/api/v1/alarms", role: "viewer" },
      { method: "POST", path: `${ALARM_PATH}/acknowledge`, role: "operator", malformed: { comment: 7 } },
      { method: "POST", path: `${ALARM_PATH}/shelve`, role: "operator", malformed: { durationMs: "soon", reason: "x" } },
      { method: "POST", path: `${ALARM_PATH}/unshelve`, role: "operator", malformed: { extra: true } },
      { method: "POST", path: `${ALARM_PATH}/feedback`, role: "operator", malformed: { feedback: "maybe" } },
      { method: "GET", path: "/api/v1/rules", role: "viewer" },
      { method: "GET", path: "/api/v1/rules/versions", role: "viewer" },
      { method: "GET", path: "/api/v1/rules/api-hot", role: "viewer" },
      { method: "POST", path: "/api/v1/rules", role: "admin", malformed: [1, 2] },
      { method: "PUT", path: "/api/v1/rules/api-hot", role: "admin", malformed: "a string" },
      { method: "DELETE", path: "/api/v1/rules/no-such-rule", role: "admin" },
    ],
    MAX_BODY_BYTES,
  );
});

describe("GET /api/v1/alarms", () => {
  it("filters by unit, state, severity and since", async () => {
    expect((await alarmsOf("?unit=ALARM01&state=active_unacknowledged&severity=HIGH")).map((a) => a.id)).toEqual([ALARM_ID]);
    expect(await alarmsOf("?unit=ALARM01&severity=LOW")).toEqual([]);
    expect(await alarmsOf("?unit=OTHER1")).toEqual([]);
    expect((await alarmsOf(`?since=${Date.now() - 600_000}`)).map((a) => a.id)).toContain(ALARM_ID);
    expect(await alarmsOf(`?since=${Date.now() + 600_000}`)).toEqual([]);
  });

  it("answers 400 for a state that is not one", async () => {
    const res = await rig.call("/api/v1/alarms?state=angry", { as: "viewer" });
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe("VIGIL_API_BAD_REQUEST");
  });
});

describe("operator actions, as the list shows them", () => {
  it("acknowledges: the alarm is active_acknowledged, by the caller's key", async () => {
    const res = await rig.call(`${ALARM_PATH}/acknowledge`, { method: "POST", as: "operator", json: { comment: "on it" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: ALARM_ID, state: "active_acknowledged", acknowledgedBy: "operator-key" });
    expect(await listed()).toMatchObject({ state: "active_acknowledged", acknowledgedBy: "operator-key" });
  });

  it("shelves for a duration with a reason (kept in alarm history), then unshelves", async () => {
    const before = Date.now();
    const shelved = await rig.call(`${ALARM_PATH}/shelve`, { method: "POST", as: "operator", json: { durationMs: 600_000, reason: "sensor being replaced" } });
    expect(shelved.status).toBe(200);
    const listedShelved = await listed();
    expect(listedShelved?.state).toBe("shelved");
    expect(listedShelved!.shelvedUntil).toBeGreaterThanOrEqual(before + 600_000);
    const history = rig.node.history!;
    await until(async () => {
      await history.writer.flush();
      const rows = await history.store.alarmHistory({ from: 0, to: Date.now() + 60_000, unit: "ALARM01" });
      return rows.some((r) => r.state === "shelved" && r.comment === "sensor being replaced" && r.actor === "operator-key");
    }, "the shelve and its reason in alarm history");
    const unshelved = await rig.call(`${ALARM_PATH}/unshelve`, { method: "POST", as: "operator", json: {} });
    expect(unshelved.status).toBe(200);
    const after = await listed();
    expect(after?.state).not.toBe("shelved");
    expect(after?.shelvedUntil).toBeNull();
  });

  it("takes feedback, which the list shows and history keeps as a label", async () => {
    const res = await rig.call(`${ALARM_PATH}/feedback`, { method: "POST", as: "operator", json: { feedback: "real_fault", comment: "bearing" } });
    expect(res.status).toBe(200);
    expect(await listed()).toMatchObject({ feedback: "real_fault" });
    const store = rig.node.history!.store;
    await until(async () => (await store.labels({ from: 0, to: Date.now() + 60_000, unit: "ALARM01" })).some((l) => l.label === "fault" && l.source === "operator:operator-key"), "the feedback label in history");
  });

  it("answers 404 with VIGIL_ALARM_NOT_FOUND for an id that is not an alarm's", async () => {
    const res = await rig.call(`/api/v1/alarms/${encodeURIComponent("ALARM01/nope/temperature")}/acknowledge`, { method: "POST", as: "operator", json: {} });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_ALARM_NOT_FOUND");
  });

  it("answers 400 for a shelve without a reason", async () => {
    const res = await rig.call(`${ALARM_PATH}/shelve`, { method: "POST", as: "operator", json: { durationMs: 60_000 } });
    expect(res.status).toBe(400);
  });

  it("are audited", async () => {
    const { entries } = (await (await rig.call("/api/v1/audit?limit=50", { as: "admin" })).json()) as { entries: { who: string; path: string; result: string }[] };
    expect(entries).toContainEqual(expect.objectContaining({ who: "operator-key", path: `${ALARM_PATH}/acknowledge`, result: "ok" }));
  });
});

describe("rules", () => {
  it("lists the rule added, with the version", async () => {
    const body = (await (await rig.call("/api/v1/rules", { as: "viewer" })).json()) as { version: number; rules: { id: string }[] };
    expect(body.rules.map((r) => r.id)).toContain("api-hot");
    expect(body.version).toBeGreaterThan(0);
  });

  it("answers 409 VIGIL_RULE_EXISTS when adding an id that is taken", async () => {
    const res = await rig.call("/api/v1/rules", { method: "POST", as: "admin", json: RULE });
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe("VIGIL_RULE_EXISTS");
  });

  it("answers 400 VIGIL_RULE_INVALID naming the field of an invalid rule", async () => {
    const res = await rig.call("/api/v1/rules", { method: "POST", as: "admin", json: { ...RULE, id: "bad-sev", severity: "HUGE" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("VIGIL_RULE_INVALID");
    expect(body.error.message).toContain("severity");
  });

  it("updates a rule into a new version, recorded with who did it", async () => {
    const before = ((await (await rig.call("/api/v1/rules", { as: "viewer" })).json()) as { version: number }).version;
    const res = await rig.call("/api/v1/rules/api-hot", { method: "PUT", as: "admin", json: { ...RULE, id: undefined, severity: "CRITICAL" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: before + 1, rule: { id: "api-hot", severity: "CRITICAL" } });
    expect(await (await rig.call("/api/v1/rules/api-hot", { as: "viewer" })).json()).toMatchObject({ severity: "CRITICAL" });
    const { changes } = (await (await rig.call("/api/v1/rules/versions", { as: "viewer" })).json()) as { changes: { version: number; by: string; ruleId: string }[] };
    expect(changes.at(-1)).toMatchObject({ version: before + 1, by: "admin-key", ruleId: "api-hot" });
  });

  it("answers 404 when updating a rule that does not exist", async () => {
    const res = await rig.call("/api/v1/rules/not-there", { method: "PUT", as: "admin", json: { ...RULE, id: "not-there" } });
    expect(res.status).toBe(404);
    expect(await codeOf(res)).toBe("VIGIL_RULE_NOT_FOUND");
  });

  it("deletes a rule, and its alarm ends", async () => {
    const res = await rig.call("/api/v1/rules/api-hot", { method: "DELETE", as: "admin" });
    expect(res.status).toBe(200);
    expect((await rig.call("/api/v1/rules/api-hot", { as: "viewer" })).status).toBe(404);
    await until(async () => (await listed()) === undefined, "the removed rule's alarm to end");
  });
});
