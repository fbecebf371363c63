/**
 * The dashboard's entry point: get an API key the node accepts, open the
 * feed, and wire the panels to it. Everything the page shows comes from the
 * feed (live state and changes) or the control API (models, simulator);
 * actions go through the API, whose answers — and the feed's next events —
 * are what the page then shows.
 */
import { createApi } from "./api.js";
import { AlarmList } from "./alarms.js";
import { UnitCharts } from "./charts.js";
import { Feed } from "./feed.js";
import { askForKey, forgetKey, storedKey } from "./key.js";
import { ModelPanel } from "./models.js";
import { SimulatorPanel } from "./simulator.js";
import { clockText } from "./ui.js";
import { UnitGrid } from "./units.js";

const $ = (id) => document.getElementById(id);
const feedsPath = document.querySelector('meta[name="vigil-feeds-path"]').content;

let key = storedKey();
let asking;

/** undefined when the node accepts `candidate`, else why not. */
async function checkKey(candidate) {
  try {
    const res = await fetch("/api/v1/health/detailed", { headers: { "X-API-Key": candidate } });
    if (res.status === 401) return "The node refused that key (401). Check it and try again.";
    return undefined;
  } catch {
    return "The node does not answer. Is it running?";
  }
}

/** Asks for a key (once at a time) and restarts the feed with it. */
function needKey(message) {
  asking ??= askForKey(message, checkKey).then((accepted) => {
    key = accepted;
    asking = undefined;
    feed.close();
    feed.connect();
    refreshApiPanels();
  });
  return asking;
}

const api = createApi(() => key, (message) => void needKey(`The node refused the key: ${message}`));
const link = $("link");
const feed = new Feed({
  path: feedsPath,
  key: () => key,
  onLink: (state) => {
    link.dataset.state = state;
    link.querySelector("span").textContent = state === "live" ? "live" : state;
  },
  // Closed before it opened: a wrong key, or the node is down — the API says which.
  onRefused: async () => {
    const problem = await checkKey(key);
    if (problem !== undefined && problem.includes("401")) {
      link.dataset.state = "refused";
      void needKey(problem);
    }
  },
});

const charts = new UnitCharts({ container: $("charts"), title: $("chart-unit"), feed });
const grid = new UnitGrid({ grid: $("units"), summary: $("summary"), note: $("units-note"), onSelect: (unit) => charts.follow(unit) });
const alarms = new AlarmList({ container: $("alarms"), count: $("alarm-count"), api, onCounts: (counts) => grid.setAlarmCounts(counts) });
const simulator = new SimulatorPanel({ buttons: $("sim-buttons"), unitSelect: $("sim-unit"), duration: $("sim-duration"), status: $("sim-status"), api });
const models = new ModelPanel({ container: $("models"), api });

/** Up to this many units, every reading comes to the page so tiles show live values; beyond, tiles show each unit's last published state. */
const LIVE_TILE_UNITS = 60;
let tilesLive = false;
feed.on("unit_status", (event) => {
  grid.update(event);
  const units = grid.unitIds();
  simulator.setUnits(units);
  if (units.length <= LIVE_TILE_UNITS !== tilesLive) {
    tilesLive = !tilesLive;
    if (tilesLive) feed.subscribe("tiles", { kinds: ["sensor_data"] });
    else feed.unsubscribe("tiles");
  }
});
feed.on("sensor_data", (event) => grid.reading(event));
feed.on("alarm", (event) => alarms.update(event));
feed.on("model_update", () => void models.refresh());
feed.subscribe("overview", { kinds: ["unit_status", "alarm", "model_update"] });

function refreshApiPanels() {
  void simulator.refresh();
  void models.refresh();
}

$("forget-key").addEventListener("click", () => {
  forgetKey();
  key = "";
  feed.close();
  void needKey("");
});

const clock = $("clock");
const tick = () => (clock.textContent = clockText(Date.now()));
tick();
setInterval(tick, 1000);
setInterval(() => void simulator.refresh(), 10_000);

// For the browser test and for anyone curious in the console.
window.vigil = { grid, charts, alarms, feed };

const problem = key === "" ? "" : await checkKey(key);
if (key === "" || problem !== undefined) await needKey(problem ?? "");
else {
  feed.connect();
  refreshApiPanels();
}
