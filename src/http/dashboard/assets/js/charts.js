/**
 * Live charts of every sensor of the followed unit, one uPlot each, fed by
 * the feed's `sensor_data` events for that unit only. Each sensor keeps at
 * most MAX_POINTS readings (older ones fall off the left), so a dashboard
 * left on the wall for weeks holds the same memory as after ten minutes.
 * Anomalous readings are drawn as red points over the line.
 */
import uPlot from "/dashboard/vendor/uPlot.esm.js";
import { clockText, frameThrottle, h, valueText } from "./ui.js";

/** Readings kept per sensor: ten minutes at the simulator's default one per second. */
export const MAX_POINTS = 600;
const CHART_HEIGHT = 190;
/** Tick steps of the time axis, whole seconds at least: readings come a second or so apart. */
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const AXIS = "#8d9bab";
const GRID = "#243140";

class SensorChart {
  constructor(sensor) {
    this.sensor = sensor;
    this.ts = [];
    this.values = [];
    this.anomalies = [];
    this.last = undefined;
    this.valueLabel = h("b", {}, "—");
    this.body = h("div", { class: "chart-body" });
    this.box = h("figure", { class: "chart", dataset: { sensor } }, h("div", { class: "chart-head" }, h("span", {}, sensor.replace("_", " ")), this.valueLabel), this.body);
    this.plot = undefined;
  }

  /** Mounts the plot once the box is in the page (uPlot needs its width). */
  mount() {
    const width = Math.max(200, this.body.clientWidth);
    this.plot = new uPlot(
      {
        width,
        height: CHART_HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, font: "13px sans-serif", space: 90, incrs: TIME_STEPS, values: (_u, ticks) => ticks.map((t) => clockText(t * 1000)) },
          { stroke: AXIS, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, size: 58, font: "13px sans-serif" },
        ],
        series: [
          {},
          { label: this.sensor, stroke: "#43a8ff", width: 2, fill: "rgba(67,168,255,0.10)", points: { show: false } },
          { label: "anomaly", stroke: "#ff4141", width: 0, paths: () => null, points: { show: true, size: 8, width: 0, fill: "#ff4141" } },
        ],
      },
      [this.ts, this.values, this.anomalies],
      this.body,
    );
  }

  /** A ProcessedReading; readings older than the newest one kept (a snapshot repeating it) are skipped. */
  add(r) {
    if (this.ts.length > 0 && r.ts / 1000 <= this.ts[this.ts.length - 1]) return false;
    this.ts.push(r.ts / 1000);
    this.values.push(r.quality === "BAD" ? null : r.value);
    this.anomalies.push(r.anomaly ? r.value : null);
    if (this.ts.length > MAX_POINTS) {
      const drop = this.ts.length - MAX_POINTS;
      this.ts.splice(0, drop);
      this.values.splice(0, drop);
      this.anomalies.splice(0, drop);
    }
    this.last = r;
    return true;
  }

  draw() {
    if (this.plot === undefined) this.mount();
    this.plot.setData([this.ts, this.values, this.anomalies]);
    const r = this.last;
    if (r !== undefined) {
      this.valueLabel.textContent = valueText(r.value);
      this.box.classList.toggle("anomalous", r.anomaly);
    }
  }

  resize() {
    this.plot?.setSize({ width: Math.max(200, this.body.clientWidth), height: CHART_HEIGHT });
  }

  destroy() {
    this.plot?.destroy();
    this.box.remove();
  }
}

export class UnitCharts {
  constructor({ container, title, feed }) {
    this.container = container;
    this.title = title;
    this.feed = feed;
    this.unit = undefined;
    this.charts = new Map();
    this.dirty = new Set();
    this.render = frameThrottle(() => {
      for (const chart of this.dirty) chart.draw();
      this.dirty.clear();
    });
    new ResizeObserver(() => {
      for (const chart of this.charts.values()) chart.resize();
    }).observe(container);
    feed.on("sensor_data", (event) => this.reading(event));
  }

  /** Follows `unit`: its charts replace the previous unit's. */
  follow(unit) {
    if (unit === this.unit) return;
    this.unit = unit;
    this.title.textContent = unit;
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.dirty.clear();
    this.container.replaceChildren();
    this.feed.subscribe("charts", { kinds: ["sensor_data"], units: [unit] });
  }

  /** Points drawn so far per sensor (the browser test reads it). */
  pointCounts() {
    return Object.fromEntries([...this.charts].map(([sensor, chart]) => [sensor, chart.ts.length]));
  }

  reading(event) {
    if (event.unit !== this.unit) return; // a late event of the unit followed before
    let chart = this.charts.get(event.sensor);
    if (chart === undefined) {
      chart = new SensorChart(event.sensor);
      this.charts.set(event.sensor, chart);
      const sorted = [...this.charts.keys()].sort();
      this.container.append(...sorted.map((s) => this.charts.get(s).box));
    }
    if (chart.add(event.data)) {
      this.dirty.add(chart);
      this.render();
    }
  }
}
