/**
 * What a simulated solar device reports, and how. A device sends one
 * multi-field message per interval — `{"ghi":512.3,"temperature":31.42,
 * "power":2.871,"timestamp":"…"}` on `solar/{device}/data`, as a PV
 * monitoring gateway does — which the MQTT connector's `fields` mapping
 * (the embedded defaults carry one) expands into one reading per field.
 *
 * The sensor ids differ from the wire's field names on purpose: a plain
 * `temperature` or `power` would take the plant's sensor types (a pump
 * motor's 30–120 kW band, the plant's anomaly models) and raise alarms all
 * night. `module_temperature` and `ac_power` have no sensor type, so they get
 * the statistical checks only. The in-process publishers (gateway, NATS,
 * OPC UA) send the sensor ids directly; the MQTT publisher sends the fields.
 */

/** Sensor ids of a solar device, in the order its readings are produced. */
export const SOLAR_SENSORS = ["ghi", "module_temperature", "ac_power"] as const;
export type SolarSensor = (typeof SOLAR_SENSORS)[number];

/**
 * The payload field each sensor travels as over MQTT. Mirrored by the
 * default `mqtt.topics` mapping in src/config/defaults.ts (config may not
 * import actors); the solar specs publish through both.
 */
export const SOLAR_PAYLOAD_FIELDS: Readonly<Record<SolarSensor, string>> = {
  ghi: "ghi", // global horizontal irradiance, W/m²
  module_temperature: "temperature", // back-of-module temperature, °C
  ac_power: "power", // inverter AC output, kW
};

/** Topic of a device's data messages: `{prefix}/{device}/data`. */
export const SOLAR_TOPIC_PREFIX = "solar";

/** Unit ids of solar devices: SOLAR001, SOLAR002, … */
export const SOLAR_ID_PREFIX = "SOLAR";
