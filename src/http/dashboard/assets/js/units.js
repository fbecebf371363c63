/**
 * The unit grid: one tile per unit from its `unit_status` events — status
 * (online/offline/maintenance), operational state, health — with the latest
 * value of each sensor, and the plant summary in the top bar. A unit
 * publishes its state only when it changes, so the values come from
 * `sensor_data` events where the grid gets them (main.js subscribes to all
 * units' readings while the plant is small enough for one browser). Tiles
 * are updated in place, at most once per animation frame.
 */
import { agoText, frameThrottle, h, valueText } from "./ui.js";

const GOOD_STATES = new Set(["OPTIMAL", "NORMAL", "STARTUP"]);
const BAD_STATES = new Set(["FAULT", "OVERLOAD"]);

export class UnitGrid {
  constructor({ grid, summary, note, onSelect }) {
    this.grid = grid;
    this.summary = summary;
    this.note = note;
    this.onSelect = onSelect;
    this.units = new Map();
    /** unit → sensor → latest reading (a SensorSnapshot-like object). */
    this.readings = new Map();
    this.tiles = new Map();
    this.selected = undefined;
    this.alarmCounts = { unacknowledged: 0, critical: 0 };
    this.dirty = new Set();
    this.render = frameThrottle(() => this.draw());
    setInterval(() => {
      for (const id of this.units.keys()) this.dirty.add(id); // "read … ago" keeps moving
      this.render();
    }, 1000);
  }

  /** A `unit_status` event: its data is the unit's UnitState. */
  update(event) {
    this.units.set(event.unit, event.data);
    this.dirty.add(event.unit);
    this.render();
  }

  /** A `sensor_data` event: newer than what the unit's state said, it updates the tile's value. */
  reading(event) {
    const r = event.data;
    let sensors = this.readings.get(event.unit);
    if (sensors === undefined) {
      sensors = new Map();
      this.readings.set(event.unit, sensors);
    }
    sensors.set(event.sensor, { value: r.value, ts: r.ts, quality: r.quality, anomaly: r.anomaly });
    if (this.units.has(event.unit)) {
      this.dirty.add(event.unit);
      this.render();
    }
  }

  unitIds() {
    return [...this.units.keys()].sort();
  }

  select(unit) {
    this.selected = unit;
    for (const [id, tile] of this.tiles) tile.classList.toggle("selected", id === unit);
    this.onSelect(unit);
  }

  setAlarmCounts(counts) {
    this.alarmCounts = counts;
    this.render();
  }

  draw() {
    const ids = this.unitIds();
    if (ids.length > 0 && this.tiles.size === 0) this.grid.replaceChildren();
    let added = false;
    for (const id of this.dirty) {
      let tile = this.tiles.get(id);
      if (tile === undefined) {
        // On pointerdown, not click: a tile's content is rebuilt with every reading, and a click whose
        // press and release landed on different (replaced) children would be lost.
        tile = h("article", {
          class: "tile",
          dataset: { unit: id },
          tabindex: 0,
          onpointerdown: () => this.select(id),
          onkeydown: (e) => void (e.key === "Enter" && this.select(id)),
        });
        this.tiles.set(id, tile);
        added = true;
      }
      fillTile(tile, this.units.get(id), this.readings.get(id), id === this.selected);
    }
    this.dirty.clear();
    // Keep tiles in unit order however they arrived.
    if (added) this.grid.append(...ids.map((id) => this.tiles.get(id)));
    if (this.selected === undefined && ids.length > 0) this.select(ids[0]);
    this.drawSummary();
  }

  drawSummary() {
    let good = 0;
    let warn = 0;
    let bad = 0;
    let off = 0;
    for (const s of this.units.values()) {
      if (s.status !== "online") off++;
      else if (BAD_STATES.has(s.operationalState)) bad++;
      else if (GOOD_STATES.has(s.operationalState)) good++;
      else warn++;
    }
    const stat = (cls, n, label) => h("div", { class: `stat ${cls}` }, h("b", {}, n), h("span", {}, label));
    const { unacknowledged, critical } = this.alarmCounts;
    this.summary.replaceChildren(
      stat("", this.units.size, "units"),
      stat("ok", good, "running"),
      stat("warn", warn, "degraded"),
      stat("crit", bad, "fault"),
      stat("off", off, "offline"),
      stat(`crit${unacknowledged > 0 ? " alert" : ""}`, unacknowledged, "unacked alarms"),
      stat(`crit${critical > 0 ? " alert" : ""}`, critical, "critical"),
    );
    this.note.textContent = `${this.units.size} reporting`;
  }
}

/** The unit state's sensor snapshots, each replaced by a newer reading when there is one. */
function latestReadings(s, live) {
  const sensors = new Map(Object.entries(s.sensors));
  for (const [sensor, r] of live ?? []) {
    const known = sensors.get(sensor);
    if (known === undefined || r.ts >= known.ts) sensors.set(sensor, r);
  }
  return [...sensors].sort(([a], [b]) => a.localeCompare(b));
}

function fillTile(tile, s, live, selected) {
  const health = Math.round(Math.max(0, Math.min(1, s.health)) * 100);
  tile.dataset.state = s.operationalState;
  tile.dataset.status = s.status;
  tile.classList.toggle("selected", selected);
  const sensors = latestReadings(s, live);
  const lastReadingAt = Math.max(s.lastReadingAt ?? 0, ...sensors.map(([, r]) => r.ts));
  tile.replaceChildren(
    h("div", { class: "tile-head" }, h("span", { class: "unit-id" }, s.unit), h("span", { class: `pill ${s.status}` }, s.status)),
    h("div", { class: "op-state" }, s.status === "offline" ? "NO DATA" : s.operationalState),
    h(
      "div",
      { class: "health", dataset: { band: health < 40 ? "crit" : health < 70 ? "warn" : "ok" } },
      h("span", {}, "health"),
      h("div", { class: "health-bar" }, h("i", { style: { width: `${health}%` } })),
      h("b", {}, `${health}%`),
    ),
    h(
      "dl",
      { class: "readings" },
      sensors.map(([name, r]) =>
        h("div", { class: r.quality === "BAD" ? "bad" : r.anomaly ? "anomalous" : "" }, h("dt", {}, name.replace("_", " ")), h("dd", {}, valueText(r.value))),
      ),
    ),
    h(
      "div",
      { class: "tile-foot" },
      h("span", {}, lastReadingAt === 0 ? "no readings yet" : `read ${agoText(lastReadingAt)}`),
      s.severity === null ? h("span", {}, s.method.toLowerCase()) : h("span", { class: "sev" }, s.severity),
    ),
  );
}
