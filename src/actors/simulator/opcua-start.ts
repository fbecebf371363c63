/**
 * Starting the simulator's OPC UA server without importing node-opcua up
 * front (see opcua-server.ts): the module is loaded on the first call.
 */
import type { PlantOpcUaServer, PlantOpcUaServerOptions } from "./opcua-server.js";

export async function startPlantOpcUaServer(options: PlantOpcUaServerOptions = {}): Promise<PlantOpcUaServer> {
  const { PlantOpcUaServer } = await import("./opcua-server.js");
  const server = new PlantOpcUaServer(options);
  await server.start();
  return server;
}
