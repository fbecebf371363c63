/**
 * The control API's route modules by area. Each is `(app, guard) => void`
 * built from the node's public services (live state, actor system asks,
 * history store, alarm service, gateway); the composition root
 * (src/node/start.ts) lists them in HttpParts.routes. Must not reach into
 * actors' internals: only messages and public services.
 */
export { LivePlant, type LatestReadings, type LiveStateReader } from "./live-plant.js";
export { unitRoutes, type UnitRouteDeps } from "./units.js";
export { ingestBodyTooLarge, ingestRoutes, INGEST_PATH } from "./ingest.js";
export { alarmRoutes, type AlarmControl } from "./alarms.js";
export { ruleRoutes, type RuleControl } from "./rules.js";
export { deviceRoutes } from "./devices.js";
export { simulatorRoutes, type SimulatorControl } from "./simulator.js";
export { mqttRoutes, type MqttControl } from "./mqtt.js";
export { opcuaRoutes, type OpcUaControl } from "./opcua.js";
export { modelRoutes, type ModelControl } from "./models.js";
export { predictRoutes, type PredictControl } from "./predict.js";
export { forecastRoutes, type ForecastReader } from "./forecast.js";
