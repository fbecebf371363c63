/**
 * MQTT ingest and publish-back: topic patterns and payload mappings from the
 * config's `mqtt.topics`, QoS 0 and 1, acknowledged only after acceptance.
 */
export { MqttConnector } from "./connector.js";
export type { MqttConnectorOptions, MqttPublishOptions, MqttSettings } from "./connector.js";
export { MQTT_CONNECTION_STATES } from "./status.js";
export type { MqttConnectionState, MqttStatus } from "./status.js";
export { compileRoute, findRoute, formatTopic } from "./topic-route.js";
export type { TopicRoute } from "./topic-route.js";
export type { Placeholders } from "./template.js";
