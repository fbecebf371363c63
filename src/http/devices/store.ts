/**
 * Registered devices (id, type, location, capacity in kW, MQTT topic), kept
 * across restarts. `DeviceStore` is the interface the routes use; the
 * embedded node keeps them in one JSON file written atomically (DurableDir:
 * temp file, fsync, rename). A cluster would put the same records in a KV
 * bucket behind the same interface (not built yet).
 */
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { z } from "@hono/zod-openapi";
import { ID_PATTERN } from "../../actors/readings/index.js";
import { DurableDir } from "../../runtime/durable-dir.js";
import { VigilError } from "../../runtime/index.js";

export const deviceSchema = z
  .strictObject({
    id: z.string().regex(ID_PATTERN, "a device id: 1-64 letters, digits, '_' or '-'").openapi({ example: "PV001" }),
    type: z.string().min(1).max(64).openapi({ example: "solar" }),
    location: z.string().max(200),
    capacityKw: z.number().min(0).max(10_000_000),
    topic: z.string().min(1).max(256).refine((t) => !/[#+]/.test(t) && !t.includes("\0"), "an MQTT topic without wildcards").openapi({ example: "solar/PV001/data" }),
  })
  .openapi("Device");

export type Device = z.infer<typeof deviceSchema>;

export interface DeviceStore {
  list(): Device[];
  get(id: string): Device;
  /** The device, or undefined when none is registered under `id`. */
  find(id: string): Device | undefined;
  /** Adds a device; VIGIL_DEVICE_EXISTS when its id is taken. Resolves once durable. */
  add(device: Device): Promise<Device>;
  /** Resolves once durable; VIGIL_DEVICE_NOT_FOUND when there is none. */
  remove(id: string): Promise<void>;
}

export class FileDeviceStore implements DeviceStore {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: DurableDir,
    private readonly name: string,
    private readonly devices: Map<string, Device>,
  ) {}

  static async open(file: string): Promise<FileDeviceStore> {
    const dir = await DurableDir.open(dirname(file));
    let text: string | undefined;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const devices = new Map<string, Device>();
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new VigilError("VIGIL_DEVICES_FILE_INVALID", `${file} is not JSON`, { cause: err });
      }
      const result = z.array(deviceSchema).safeParse(parsed);
      if (!result.success) throw new VigilError("VIGIL_DEVICES_FILE_INVALID", `${file}: ${result.error.issues[0]?.path.join(".") ?? ""}: ${result.error.issues[0]?.message ?? "invalid"}`);
      for (const d of result.data) devices.set(d.id, d);
    }
    return new FileDeviceStore(dir, basename(file), devices);
  }

  list(): Device[] {
    return [...this.devices.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  get(id: string): Device {
    const device = this.find(id);
    if (device === undefined) throw new VigilError("VIGIL_DEVICE_NOT_FOUND", `no device "${id}"`);
    return device;
  }

  find(id: string): Device | undefined {
    return this.devices.get(id);
  }

  async add(device: Device): Promise<Device> {
    if (this.devices.has(device.id)) throw new VigilError("VIGIL_DEVICE_EXISTS", `device "${device.id}" is registered already`);
    this.devices.set(device.id, device);
    await this.persist();
    return device;
  }

  async remove(id: string): Promise<void> {
    this.get(id);
    this.devices.delete(id);
    await this.persist();
  }

  /** Writes in order: each write is the whole list as it is when its turn comes. */
  private persist(): Promise<void> {
    this.writes = this.writes.catch(() => undefined).then(() => this.dir.write(this.name, JSON.stringify(this.list(), null, 2)));
    return this.writes;
  }
}
