/**
 * What the load generators send: unit and sensor ids, and plausible values
 * per sensor (centre and swing), so the load is mostly normal plant data
 * rather than a flood of anomalies.
 */
const SENSORS = ["temperature", "pressure", "flow_rate", "power", "vibration"];
const BANDS = [[20, 3], [4, 0.5], [175, 20], [75, 8], [3, 0.4]] as const;

/** `units` × `sensors` id pairs, unit-major, so reading i belongs to pair i % length and sensor i % sensors. */
export function sensorIds(units: number, sensors: number): [string, string][] {
  const ids: [string, string][] = [];
  for (let u = 0; u < units; u++) {
    for (let s = 0; s < sensors; s++) ids.push([`UNIT${String(u).padStart(4, "0")}`, `${SENSORS[s % SENSORS.length] ?? "s"}${s >= SENSORS.length ? s : ""}`]);
  }
  return ids;
}

/** The value of reading number i, three decimals, as JSON text. */
export function valueOf(i: number): string {
  const [centre, swing] = BANDS[i % BANDS.length] as readonly [number, number];
  return (centre + Math.sin(i / 50) * swing + ((i * 7919) % 13) * swing * 0.01).toFixed(3);
}

/** Now, in fractional epoch milliseconds: comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
