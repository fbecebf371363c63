/**
 * Active alarms from the feed's `alarm` events (the snapshot holds every
 * alarm not back to normal; a transition to normal or a removal ends one),
 * newest and most severe first, unacknowledged before acknowledged, with
 * acknowledge, shelve and unshelve calling the control API. The row changes
 * when the alarm's next transition arrives on the feed — the state shown is
 * always the node's, never a guess.
 */
import { agoText, clockText, frameThrottle, h, toast } from "./ui.js";

const SEVERITY_RANK = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };
const STATE_RANK = { active_unacknowledged: 0, cleared_unacknowledged: 1, active_acknowledged: 2, suppressed: 3, shelved: 4 };
const NEEDS_ACK = new Set(["active_unacknowledged", "cleared_unacknowledged"]);
const SHELVE_MS = 60 * 60 * 1000; // 1 hour: long enough to fix a chattering instrument, short enough not to be forgotten
/** The API asks why; the key that shelved it is recorded beside this. */
const SHELVE_REASON = "shelved for 1 h from the dashboard";

export class AlarmList {
  constructor({ container, count, api, onCounts }) {
    this.container = container;
    this.count = count;
    this.api = api;
    this.onCounts = onCounts;
    this.alarms = new Map();
    this.busy = new Set();
    /** alarmId → { key, row }: a row is rebuilt only when its alarm or its busy flag changes, so a click never lands on a row being replaced. */
    this.rows = new Map();
    this.render = frameThrottle(() => this.draw());
    setInterval(() => this.tickAges(), 5000);
  }

  /** An `alarm` event: data is the AlarmTransition. */
  update(event) {
    const t = event.data;
    if (t.to === "normal" || event.event === "removed") this.alarms.delete(t.alarmId);
    else this.alarms.set(t.alarmId, t);
    this.busy.delete(t.alarmId);
    this.render();
  }

  /** Suppressed alarms (a parent alarm says more, or the unit is in maintenance) stay off the list, as ISA-18.2 asks. */
  sorted() {
    return [...this.alarms.values()].filter((a) => a.to !== "suppressed").sort(
      (a, b) =>
        (STATE_RANK[a.to] ?? 9) - (STATE_RANK[b.to] ?? 9) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        (b.raisedAt ?? b.at) - (a.raisedAt ?? a.at),
    );
  }

  draw() {
    const alarms = this.sorted();
    const unacknowledged = alarms.filter((a) => NEEDS_ACK.has(a.to)).length;
    const critical = alarms.filter((a) => a.severity === "CRITICAL" && a.to !== "shelved").length;
    this.count.textContent = String(alarms.length);
    this.count.classList.toggle("hot", unacknowledged > 0);
    this.onCounts({ unacknowledged, critical });
    if (alarms.length === 0) {
      this.rows.clear();
      this.container.replaceChildren(h("p", { class: "empty" }, "No active alarms."));
      return;
    }
    const rows = alarms.map((a) => {
      const key = `${a.seq}:${this.busy.has(a.alarmId)}`;
      let cached = this.rows.get(a.alarmId);
      if (cached === undefined || cached.key !== key) {
        cached = { key, row: this.row(a) };
        this.rows.set(a.alarmId, cached);
      }
      return cached.row;
    });
    for (const id of this.rows.keys()) if (!this.alarms.has(id)) this.rows.delete(id);
    const current = [...this.container.children];
    if (current.length !== rows.length || current.some((row, i) => row !== rows[i])) this.container.replaceChildren(...rows);
  }

  /** Moves the "… ago" texts on without touching the rows. */
  tickAges() {
    for (const { row } of this.rows.values()) {
      const age = row.querySelector(".ago");
      if (age !== null) age.textContent = agoText(Number(age.dataset.at));
    }
  }

  row(a) {
    const busy = this.busy.has(a.alarmId);
    const actions = [];
    if (NEEDS_ACK.has(a.to)) actions.push(h("button", { class: "act ack", disabled: busy, onclick: () => this.act(a, "ack") }, "Ack"));
    if (a.to === "shelved") actions.push(h("button", { class: "act", disabled: busy, onclick: () => this.act(a, "unshelve") }, "Unshelve"));
    else actions.push(h("button", { class: "act", disabled: busy, title: "Hide for 1 hour", onclick: () => this.act(a, "shelve") }, "Shelve 1h"));
    return h(
      "div",
      { class: "alarm", dataset: { alarm: a.alarmId, severity: a.severity, state: a.to } },
      h("div", { class: "alarm-title" }, h("span", { class: "sev" }, a.severity), `${a.unit}${a.sensor === null ? "" : ` · ${a.sensor.replace("_", " ")}`}`),
      h("div", { class: "alarm-msg" }, a.message),
      h(
        "div",
        { class: "alarm-meta" },
        h("span", { class: "state" }, a.to.replace("_", " ")),
        ` · raised `,
        a.raisedAt === null ? "—" : [clockText(a.raisedAt), " (", h("span", { class: "ago", dataset: { at: a.raisedAt } }, agoText(a.raisedAt)), ")"],
        a.by !== "system" && a.by !== a.rule ? ` · by ${a.by}` : "",
      ),
      h("div", { class: "alarm-actions" }, actions),
    );
  }

  async act(a, action) {
    this.busy.add(a.alarmId);
    this.render();
    const id = encodeURIComponent(a.alarmId);
    try {
      if (action === "ack") await this.api.post(`/alarms/${id}/acknowledge`, {});
      else if (action === "shelve") await this.api.post(`/alarms/${id}/shelve`, { durationMs: SHELVE_MS, reason: SHELVE_REASON });
      else await this.api.post(`/alarms/${id}/unshelve`, {});
      toast(`${a.unit}: alarm ${action === "ack" ? "acknowledged" : `${action}d`}`, "ok");
    } catch (err) {
      this.busy.delete(a.alarmId);
      this.render();
      toast(`${action} failed: ${err.message}`, "error");
    }
  }
}
