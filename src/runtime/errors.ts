/**
 * Typed errors with stable codes. Callers branch on `code`, never on message
 * text, so messages can improve without breaking anyone.
 */

export type VigilErrorCode =
  | "VIGIL_CONFIG_INVALID"
  | "VIGIL_ADDRESS_INVALID"
  | "VIGIL_UNKNOWN_ACTOR_KIND"
  | "VIGIL_ACTOR_FAILED"
  | "VIGIL_ACTOR_STOPPED"
  | "VIGIL_ASK_TIMEOUT"
  | "VIGIL_MAILBOX_FULL"
  | "VIGIL_NOT_CLONEABLE"
  | "VIGIL_WORKER_CRASHED"
  | "VIGIL_SYSTEM_STOPPED"
  | "VIGIL_TRANSPORT_CLOSED"
  | "VIGIL_TRANSPORT_NO_RESPONDERS"
  | "VIGIL_TRANSPORT_TIMEOUT"
  | "VIGIL_TRANSPORT_SUBJECT_INVALID"
  | "VIGIL_CLUSTER_PARTITIONS_MISMATCH"
  | "VIGIL_CLUSTER_SNAPSHOT_UNREACHABLE"
  | "VIGIL_CLUSTER_SNAPSHOT_CONFLICT"
  | "VIGIL_CLUSTER_LEASE_LOST"
  | "VIGIL_CLUSTER_INGEST_UNAVAILABLE"
  | "VIGIL_CLUSTER_PUBLISH_REFUSED"
  | "VIGIL_MQTT_TOPIC_INVALID"
  | "VIGIL_MQTT_NOT_CONNECTED"
  | "VIGIL_MQTT_BACKLOG_FULL"
  | "VIGIL_MQTT_PUBLISH_FAILED"
  | "VIGIL_MQTT_TOPIC_EXISTS"
  | "VIGIL_MQTT_SUBSCRIBE_FAILED"
  | "VIGIL_MQTT_TOPIC_UNKNOWN"
  | "VIGIL_CONNECTOR_DISABLED"
  | "VIGIL_SIMULATOR_UNKNOWN_UNIT"
  | "VIGIL_SIMULATOR_BAD_SCENARIO"
  | "VIGIL_SIMULATOR_MISCONFIGURED"
  | "VIGIL_SIMULATOR_PUBLISHER_UNAVAILABLE"
  | "VIGIL_SIMULATOR_DISABLED"
  | "VIGIL_OPCUA_ACCESS_DENIED"
  | "VIGIL_OPCUA_SECURITY_REJECTED"
  | "VIGIL_OPCUA_CERTIFICATE_REJECTED"
  | "VIGIL_OPCUA_CONNECT_FAILED"
  | "VIGIL_OPCUA_NOT_CONNECTED"
  | "VIGIL_OPCUA_BAD_NODE"
  | "VIGIL_OPCUA_UNKNOWN_ENDPOINT"
  | "VIGIL_OPCUA_ENDPOINT_EXISTS"
  | "VIGIL_OPCUA_NODE_MAPPED"
  | "VIGIL_OPCUA_NODE_NOT_MAPPED"
  | "VIGIL_OPCUA_HELD_ELSEWHERE"
  | "VIGIL_STORE_ROW_INVALID"
  | "VIGIL_STORE_SQL_INVALID"
  | "VIGIL_STORE_QUERY_FAILED"
  | "VIGIL_HISTORY_SPOOL_LOCKED"
  | "VIGIL_NOTIFY_OUTBOX_LOCKED"
  | "VIGIL_NOTIFY_SECRET_MISSING"
  | "VIGIL_NOTIFY_SECRETS_FILE_INVALID"
  | "VIGIL_NOTIFY_DELIVERY_FAILED"
  | "VIGIL_NOTIFY_DELIVERY_REFUSED"
  | "VIGIL_RULE_INVALID"
  | "VIGIL_RULE_NOT_FOUND"
  | "VIGIL_RULE_EXISTS"
  | "VIGIL_ALARM_NOT_FOUND"
  | "VIGIL_ALARM_COMMAND_INVALID"
  | "VIGIL_IMPORT_FILE_INVALID"
  | "VIGIL_ML_DATASET_INVALID"
  | "VIGIL_ML_PARAMS_INVALID"
  | "VIGIL_ML_TRAINING_FAILED"
  | "VIGIL_ML_EXPORT_FAILED"
  | "VIGIL_ML_EXPORT_MISMATCH"
  | "VIGIL_TRAINING_NO_DATA"
  | "VIGIL_TRAINING_UNAVAILABLE"
  | "VIGIL_TRAINING_INTERRUPTED"
  | "VIGIL_MODEL_NOT_FOUND"
  | "VIGIL_MODEL_CORRUPT"
  | "VIGIL_MODEL_INCOMPATIBLE"
  | "VIGIL_MODEL_TRANSITION_INVALID"
  | "VIGIL_MODEL_REGISTRY_UNAVAILABLE"
  // Sent to WebSocket feed clients in error frames (src/http/feeds/protocol.ts).
  | "VIGIL_FEED_MESSAGE_INVALID"
  | "VIGIL_FEED_SUBSCRIPTION_LIMIT"
  | "VIGIL_FEED_RATE_LIMITED"
  | "VIGIL_HTTP_LISTEN_FAILED"
  | "VIGIL_HTTP_BIND_REFUSED"
  | "VIGIL_API_BAD_REQUEST"
  | "VIGIL_API_UNAUTHORIZED"
  | "VIGIL_API_FORBIDDEN"
  | "VIGIL_API_NOT_FOUND"
  | "VIGIL_API_METHOD_NOT_ALLOWED"
  | "VIGIL_API_PAYLOAD_TOO_LARGE"
  | "VIGIL_API_RATE_LIMITED"
  | "VIGIL_API_INTERNAL"
  | "VIGIL_API_MODEL_UNKNOWN"
  | "VIGIL_API_FEATURE_MISSING"
  | "VIGIL_API_BATCH_TOO_LARGE"
  | "VIGIL_API_OVERLOADED"
  | "VIGIL_FORECAST_NOT_FOUND"
  // In a cluster: the node owning the actor's partition did not answer in time, or none holds it.
  | "VIGIL_API_OWNER_UNREACHABLE"
  | "VIGIL_API_ACTION_NOT_DURABLE"
  | "VIGIL_UNIT_NOT_FOUND"
  | "VIGIL_SENSOR_NOT_FOUND"
  | "VIGIL_DEVICE_NOT_FOUND"
  | "VIGIL_DEVICE_EXISTS"
  | "VIGIL_DEVICES_FILE_INVALID"
  | "VIGIL_HISTORY_DISABLED";

export class VigilError extends Error {
  readonly code: VigilErrorCode;

  constructor(code: VigilErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VigilError";
    this.code = code;
  }
}

export function isVigilError(err: unknown, code?: VigilErrorCode): err is VigilError {
  return err instanceof VigilError && (code === undefined || err.code === code);
}

/** The shape an error takes when it crosses a thread or process boundary. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof VigilError) return { name: err.name, message: err.message, code: err.code };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.code !== undefined && e.code.startsWith("VIGIL_")) {
    return new VigilError(e.code as VigilErrorCode, e.message);
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
