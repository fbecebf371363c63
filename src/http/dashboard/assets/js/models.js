/**
 * Model versions with their metrics, and promote / roll back through the
 * control API. Refreshed when the feed reports a model update, so a
 * promotion made elsewhere (another operator, the trainer) shows at once.
 */
import { frameThrottle, h, toast } from "./ui.js";

export const MODEL_PATHS = {
  list: "/models",
  promote: (model, version) => `/models/${encodeURIComponent(model)}/versions/${version}/promote`,
  rollback: (model) => `/models/${encodeURIComponent(model)}/rollback`,
};
/** Versions shown per model, newest first. */
const SHOWN_VERSIONS = 3;

export class ModelPanel {
  constructor({ container, api }) {
    this.container = container;
    this.api = api;
    this.models = undefined;
    this.note = "Loading…";
    this.render = frameThrottle(() => this.draw());
  }

  async refresh() {
    try {
      const { versions } = await this.api.get(MODEL_PATHS.list);
      const byModel = new Map();
      for (const v of versions) byModel.set(v.model, [...(byModel.get(v.model) ?? []), v]);
      this.models = [...byModel].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => ({ name, versions: list.sort((a, b) => b.version - a.version) }));
      this.note = this.models.length === 0 ? "No models registered yet." : "";
    } catch (err) {
      this.models = undefined;
      this.note = err.status === 404 ? "The model registry is not served by this node." : `Models unavailable: ${err.message}`;
    }
    this.render();
  }

  draw() {
    if (this.models === undefined || this.models.length === 0) {
      this.container.replaceChildren(h("p", { class: "empty" }, this.note));
      return;
    }
    this.container.replaceChildren(...this.models.map((m) => this.model(m)));
  }

  model(m) {
    const production = m.versions.find((v) => v.stage === "Production");
    // Rolling back puts the newest earlier version back in Production.
    const previous = production === undefined ? undefined : m.versions.find((v) => v.version < production.version);
    const versions = m.versions.slice(0, SHOWN_VERSIONS);
    return h(
      "div",
      { class: "model", dataset: { model: m.name } },
      h(
        "div",
        { class: "model-name" },
        h("span", {}, m.name),
        production === undefined
          ? h("small", {}, "no production version")
          : previous === undefined
            ? h("small", {}, `v${production.version} in production`)
            : h("button", { class: "act danger", title: `Put v${previous.version} back in production`, onclick: () => this.rollback(m.name, previous.version) }, `Roll back to v${previous.version}`),
      ),
      h(
        "table",
        { class: "versions" },
        versions.map((v) =>
          h(
            "tr",
            {},
            h("td", {}, `v${v.version}`),
            h("td", { class: `stage ${v.stage}` }, v.stage),
            h("td", { class: "metrics" }, metricsText(v.metrics)),
            h("td", {}, v.stage === "Production" ? "" : h("button", { class: "act", onclick: () => this.promote(m.name, v.version) }, "Promote")),
          ),
        ),
      ),
    );
  }

  async promote(model, version) {
    await this.run(() => this.api.post(MODEL_PATHS.promote(model, version), {}), `${model} v${version} promoted`);
  }

  async rollback(model, version) {
    await this.run(() => this.api.post(MODEL_PATHS.rollback(model), { version }), `${model} rolled back to v${version}`);
  }

  async run(call, done) {
    try {
      await call();
      toast(done, "ok");
    } catch (err) {
      toast(`${done.split(" ")[0]}: ${err.message}`, "error");
    }
    await this.refresh();
  }
}

/** The two or three figures that matter, e.g. "f1 0.93 · auc 0.97". */
function metricsText(metrics) {
  if (metrics === undefined || metrics === null) return "";
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === "number")
    .slice(0, 3)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)}`)
    .join(" · ");
}
