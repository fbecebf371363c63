/**
 * The simulated plant as an OPC UA address space:
 *
 *   Objects/Plant                     ns=1;s=Plant
 *     UNIT001                         ns=1;s=UNIT001         (folder)
 *       temperature                   ns=1;s=UNIT001.temperature  (Double)
 *       ...one Double per sensor
 *       status                        ns=1;s=UNIT001.status  (String: online, offline, maintenance)
 *
 * The values live here too, outside node-opcua's address space, so a
 * restarted server comes back with the last values its predecessor served.
 */
import { DataType, StatusCodes, Variant, type Namespace, type StatusCode, type UAObject, type UAVariable } from "node-opcua";
import type { ReadingQuality } from "../readings/index.js";

export const PLANT_FOLDER = "Plant";
export const UNIT_STATUS_NODE = "status";

/** What a simulated sensor serves: its last value, quality and source instant. */
interface SensorPoint {
  value: number | null;
  quality: ReadingQuality;
  ts: number | undefined;
  variable: UAVariable | undefined;
}

interface UnitPoints {
  status: string;
  readonly sensors: Map<string, SensorPoint>;
  statusVariable: UAVariable | undefined;
}

const STATUS_OF_QUALITY: Record<ReadingQuality, StatusCode> = {
  GOOD: StatusCodes.Good,
  UNCERTAIN: StatusCodes.Uncertain,
  BAD: StatusCodes.Bad,
};

export function sensorNodeId(unit: string, sensor: string): string {
  return `ns=1;s=${unit}.${sensor}`;
}

export class PlantNodes {
  private readonly units = new Map<string, UnitPoints>();
  private namespace: Namespace | undefined;
  private plantFolder: UAObject | undefined;

  /** Add a unit (or further sensors of a known unit); shown at once when the server is running. */
  addUnit(unit: string, sensors: readonly string[]): void {
    let points = this.units.get(unit);
    if (points === undefined) {
      points = { status: "online", sensors: new Map(), statusVariable: undefined };
      this.units.set(unit, points);
    }
    for (const sensor of sensors) {
      if (sensor === UNIT_STATUS_NODE) continue; // the name is taken by the unit's status
      if (!points.sensors.has(sensor)) points.sensors.set(sensor, { value: null, quality: "GOOD", ts: undefined, variable: undefined });
    }
    if (this.namespace !== undefined) this.build(unit, points);
  }

  hasUnit(unit: string): boolean {
    return this.units.has(unit);
  }

  /** False when the unit or sensor is unknown. */
  setValue(unit: string, sensor: string, value: number, quality: ReadingQuality, ts: number): boolean {
    const point = this.units.get(unit)?.sensors.get(sensor);
    if (point === undefined) return false;
    point.value = value;
    point.quality = quality;
    point.ts = ts;
    if (point.variable !== undefined) serve(point);
    return true;
  }

  /** False when the unit is unknown. */
  setStatus(unit: string, status: string): boolean {
    const points = this.units.get(unit);
    if (points === undefined) return false;
    points.status = status;
    points.statusVariable?.setValueFromSource(new Variant({ dataType: DataType.String, value: status }));
    return true;
  }

  /** Build every node in a freshly initialised server's own namespace. */
  attach(namespace: Namespace, objectsFolder: UAObject): void {
    this.namespace = namespace;
    this.plantFolder = namespace.addFolder(objectsFolder, { browseName: PLANT_FOLDER, nodeId: `s=${PLANT_FOLDER}` });
    for (const [unit, points] of this.units) this.build(unit, points);
  }

  /** Forget the stopped server's nodes; the values stay for the next one. */
  detach(): void {
    this.namespace = undefined;
    this.plantFolder = undefined;
    for (const points of this.units.values()) {
      points.statusVariable = undefined;
      for (const point of points.sensors.values()) point.variable = undefined;
    }
  }

  private build(unit: string, points: UnitPoints): void {
    const namespace = this.namespace;
    const plant = this.plantFolder;
    if (namespace === undefined || plant === undefined) return;
    let folder = namespace.findNode(`ns=1;s=${unit}`) as UAObject | null;
    if (folder === null) {
      folder = namespace.addFolder(plant, { browseName: unit, nodeId: `s=${unit}` });
      points.statusVariable = namespace.addVariable({
        componentOf: folder,
        browseName: UNIT_STATUS_NODE,
        nodeId: `s=${unit}.${UNIT_STATUS_NODE}`,
        dataType: DataType.String,
      });
      points.statusVariable.setValueFromSource(new Variant({ dataType: DataType.String, value: points.status }));
    }
    for (const [sensor, point] of points.sensors) {
      if (point.variable !== undefined) continue;
      point.variable = namespace.addVariable({
        componentOf: folder,
        browseName: sensor,
        nodeId: `s=${unit}.${sensor}`,
        dataType: DataType.Double,
      });
      serve(point);
    }
  }
}

function serve(point: SensorPoint): void {
  if (point.variable === undefined) return;
  if (point.value === null) {
    // OPC UA's way of saying "no value yet".
    point.variable.setValueFromSource(new Variant({ dataType: DataType.Null }), StatusCodes.BadWaitingForInitialData);
    return;
  }
  const ts = point.ts === undefined ? new Date() : new Date(point.ts);
  point.variable.setValueFromSource(new Variant({ dataType: DataType.Double, value: point.value }), STATUS_OF_QUALITY[point.quality], ts);
}
