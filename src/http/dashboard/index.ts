/**
 * src/http/dashboard — the operator dashboard: static ES modules, CSS and
 * uPlot served by the node's own server (routes.ts), talking to the node
 * only through the control API and the WebSocket feeds like any client.
 * Must not depend on anything but the API app's route-module type.
 */
export { DASHBOARD_PREFIX, dashboardFiles, dashboardRoutes, defaultAssetsDir, type DashboardOptions } from "./routes.js";
