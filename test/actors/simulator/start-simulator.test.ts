/**
 * Starting a simulator from the `simulator` config section, as the node and
 * `vigil simulate` do: the configured model, publishers wired to what the
 * node provides, and a clear error when something a publisher needs is missing.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { SUBJECTS } from "../../../src/actors/subjects.js";
import { startSimulator, type SimulatorSettings } from "../../../src/actors/simulator/index.js";
import { defaults, loadConfig } from "../../../src/config/index.js";
import { isVigilError, SimulatedClock } from "../../../src/runtime/index.js";
import { createInProcessTransport } from "../../../src/runtime/transport/index.js";
import { take } from "../../runtime/transport/transport.case.js";
import { T0 } from "./helpers.js";

const log = pino({ level: "silent" });

describe("startSimulator", () => {
  it("reads its settings from VIGIL_SIMULATOR_* variables into a section it accepts as it is", () => {
    const config = loadConfig({
      env: { VIGIL_SIMULATOR_MODE: "run-to-failure", VIGIL_SIMULATOR_UNITS: "300", VIGIL_SIMULATOR_PUBLISHERS: "mqtt,nats", VIGIL_SIMULATOR_MQTT_QOS: "1" },
    });
    const settings: SimulatorSettings = config.simulator;
    expect(settings).toMatchObject({ mode: "run-to-failure", units: 300, publishers: ["mqtt", "nats"], mqtt: { qos: 1 } });
  });

  it("refuses an unknown publisher in the config, naming the setting", () => {
    let caught: unknown;
    try {
      loadConfig({ env: { VIGIL_SIMULATOR_PUBLISHERS: "gateway,carrier-pigeon" } });
    } catch (err) {
      caught = err;
    }
    expect(isVigilError(caught, "VIGIL_CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).toContain("simulator.publishers");
  });

  it("publishes batches on the node's transport with the nats publisher", async () => {
    const transport = createInProcessTransport();
    const sub = transport.subscribe(SUBJECTS.ingestBatch);
    const runner = await startSimulator({ ...defaults.simulator, publishers: ["nats"] }, { transport, log, clock: new SimulatedClock(T0) });
    const [message] = await take(sub, 1);
    expect(JSON.parse(new TextDecoder().decode(message!.data))).toHaveLength(25);
    await runner.close();
    await transport.close();
  });

  it("runs a run-to-failure fleet in run-to-failure mode", async () => {
    const seen: number[] = [];
    const transport = createInProcessTransport();
    const sub = transport.subscribe(SUBJECTS.ingestBatch);
    const runner = await startSimulator(
      { ...defaults.simulator, mode: "run-to-failure", units: 200, publishers: ["nats"] },
      { transport, log, clock: new SimulatedClock(T0) },
    );
    for (const m of await take(sub, 3)) seen.push((JSON.parse(new TextDecoder().decode(m.data)) as unknown[]).length);
    expect(seen).toEqual([1000, 1000, 800]); // 200 units × 14 sensors, in batches of 1,000
    expect(runner.status()).toMatchObject({ mode: "run-to-failure", units: 200, sensorsPerUnit: 14 });
    await runner.close();
    await transport.close();
  });

  it.each([
    ["gateway", "the node's ingest gateway"],
    ["nats", "a transport"],
    ["opcua", "an OPC UA server"],
  ] as const)("refuses the %s publisher without %s, with VIGIL_SIMULATOR_MISCONFIGURED", async (publisher, what) => {
    const started = startSimulator({ ...defaults.simulator, publishers: [publisher] }, { log, clock: new SimulatedClock(T0) });
    await expect(started).rejects.toSatisfy((err: unknown) => isVigilError(err, "VIGIL_SIMULATOR_MISCONFIGURED") && err.message.includes(what));
  });
});
