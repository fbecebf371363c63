/**
 * Simulator scenario buttons: inject one of the simulator's fault scenarios
 * into the chosen unit through the control API. The effect shows up where an
 * operator would see a real fault: tiles, charts and alarms.
 */
import { h, toast } from "./ui.js";

export const SCENARIOS = [
  ["high_temperature", "High temperature"],
  ["pressure_drop", "Pressure drop"],
  ["sensor_stuck", "Sensor stuck"],
  ["bad_quality", "Bad quality"],
  ["unit_offline", "Unit offline"],
  ["degradation", "Degradation"],
];

export const SIMULATOR_PATHS = { status: "/simulator", inject: "/simulator/scenarios" };

export class SimulatorPanel {
  constructor({ buttons, unitSelect, duration, status, api }) {
    this.unitSelect = unitSelect;
    this.duration = duration;
    this.status = status;
    this.api = api;
    this.known = [];
    buttons.replaceChildren(...SCENARIOS.map(([kind, label]) => h("button", { class: "act", dataset: { scenario: kind }, onclick: (e) => this.inject(kind, e.currentTarget) }, label)));
  }

  /** Keeps the unit list in step with the grid, keeping the operator's choice. */
  setUnits(units) {
    if (units.length === this.known.length && units.every((u, i) => u === this.known[i])) return;
    const chosen = this.unitSelect.value;
    this.known = units;
    this.unitSelect.replaceChildren(...units.map((u) => h("option", { value: u, selected: u === chosen }, u)));
  }

  async refresh() {
    try {
      const s = await this.api.get(SIMULATOR_PATHS.status);
      const active = Array.isArray(s?.scenarios) ? s.scenarios.length : Array.isArray(s?.activeScenarios) ? s.activeScenarios.length : undefined;
      this.status.textContent = `${s?.running === false ? "stopped" : "running"}${active === undefined ? "" : ` · ${active} scenario${active === 1 ? "" : "s"} active`}`;
    } catch (err) {
      this.status.textContent = err.status === 404 ? "not on this node" : "status unavailable";
    }
  }

  async inject(kind, button) {
    const unit = this.unitSelect.value;
    if (unit === "") return toast("No unit to inject into yet.", "error");
    button.disabled = true;
    try {
      await this.api.post(SIMULATOR_PATHS.inject, { unit, kind, durationMs: Number(this.duration.value) });
      toast(`${kind.replace("_", " ")} injected into ${unit}`, "ok");
      void this.refresh();
    } catch (err) {
      toast(`Inject ${kind} failed: ${err.message}`, "error");
    } finally {
      button.disabled = false;
    }
  }
}
