/**
 * src/actors/simulator — the plant simulator: simulated units and their
 * sensors (plant mode) or a fleet wearing out until failure (run-to-failure
 * mode), solar devices alongside either (multi-field messages), injectable scenarios, the ground truth to score detection against,
 * a batch generator for benches and tests, a paced runner for `npm start`
 * and demos, and publishers (ingest gateway, MQTT, NATS, OPC UA server).
 *
 * Deterministic for a seed: models never read a clock, the runner takes an
 * injected one. Must not depend on the actor runtime's internals (only its
 * public API), on HTTP, or on an OPC UA library (the OPC UA server is fed
 * through the OpcUaValueSink interface).
 */
export { ReadingGenerator } from "./generator.js";
export type { GeneratorOptions, SampledDevices } from "./generator.js";
export { GroundTruth } from "./ground-truth.js";
export type { GroundTruthExport, LifeRecord, ScenarioRecord, StateChange, TruthAt } from "./ground-truth.js";
export { SIMULATOR_MODES } from "./model.js";
export type { ScenarioTarget, SimulatedPlant, SimulatorMode } from "./model.js";
export { DEFAULT_PLANT_UNITS, Plant } from "./plant.js";
export type { PlantOptions } from "./plant.js";
export { PLANT_SENSORS, SENSOR_BANDS } from "./plant-sensors.js";
export type { PlantSensor, SensorBand } from "./plant-sensors.js";
export { DEFAULT_PLANT_BEHAVIOUR } from "./plant-unit.js";
export type { PlantBehaviour } from "./plant-unit.js";
export { GatewayPublisher } from "./publishers/gateway.js";
export type { IngestSink } from "./publishers/gateway.js";
export { connectMqttPublisher, MqttPublisher } from "./publishers/mqtt.js";
export type { ConnectMqttPublisherOptions, MqttPublisherOptions, MqttQos } from "./publishers/mqtt.js";
export { NATS_PUBLISH_MODES, NatsPublisher } from "./publishers/nats.js";
export type { NatsPublisherOptions, NatsPublishMode } from "./publishers/nats.js";
export { encodeBatch, encodeReading, TIMESTAMP_FORMATS } from "./publishers/payload.js";
export type { TimestampFormat } from "./publishers/payload.js";
export type { ReadingPublisher } from "./publishers/publisher.js";
export { ValueSinkPublisher } from "./publishers/value-sink.js";
export type { OpcUaValueSink } from "./publishers/value-sink.js";
export { SeededRandom } from "./random.js";
export { RandomScenarios } from "./random-scenarios.js";
export type { RandomScenarioOptions } from "./random-scenarios.js";
export { DEFAULT_FLEET_UNITS, RunToFailureFleet } from "./run-to-failure.js";
export type { RunToFailureOptions } from "./run-to-failure.js";
export { SimulatorRunner } from "./runner.js";
export type { PublisherStatus, SimulatorRunnerOptions, SimulatorStatus } from "./runner.js";
export { parseScenarioRequest, SCENARIO_KINDS, SCENARIO_RAMP_MS, scenarioRequestSchema } from "./scenarios.js";
export type { ActiveScenario, ScenarioKind, ScenarioRequest } from "./scenarios.js";
export type { SimulatedReading } from "./simulated-reading.js";
export { createPlant, createSolarFarm, SIMULATOR_PUBLISHERS, startSimulator } from "./start-simulator.js";
export { DEFAULT_SOLAR_CAPACITY_KW, DEFAULT_SOLAR_DEVICES, DEFAULT_SOLAR_LATITUDE, DEFAULT_SOLAR_LONGITUDE, SolarFarm } from "./solar-farm.js";
export type { SolarFarmOptions } from "./solar-farm.js";
export type { SolarSample, SolarSite } from "./solar-device.js";
export { SOLAR_ID_PREFIX, SOLAR_PAYLOAD_FIELDS, SOLAR_SENSORS, SOLAR_TOPIC_PREFIX } from "./solar-sensors.js";
export type { SolarSensor } from "./solar-sensors.js";
export type { SimulatorDeps, SimulatorPublisherKind, SimulatorSettings } from "./start-simulator.js";
export { TURBOFAN_SENSORS } from "./turbofan-sensors.js";
export type { TurbofanSensor } from "./turbofan-sensors.js";
