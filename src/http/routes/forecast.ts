/**
 * A solar device's latest power forecast (viewer): what its unit actor
 * last published on vigil.forecast.<device> when the `solar_forecast`
 * model scored it, as this node's outlet saw it (in a cluster: its own
 * partitions' devices, like the units' live state). Under /devices, where
 * devices are registered; a device that reports without being registered
 * has its forecast served too. A registered device's capacity bounds its
 * forecast (devices/capacity.ts), as it does the one published over MQTT.
 */
import { z } from "@hono/zod-openapi";
import { ID_PATTERN, type PowerForecast } from "../../actors/readings/index.js";
import { VigilError } from "../../runtime/index.js";
import type { RouteModule } from "../api/app.js";
import { errorResponses, json } from "../api/responses.js";
import { guarded } from "../api/route.js";
import { withinCapacity } from "../devices/capacity.js";
import type { DeviceStore } from "../devices/store.js";

/** The latest forecast per device: the node's scoring side keeps them. */
export interface ForecastReader {
  latestForecast(device: string): PowerForecast | undefined;
}

const params = z.object({ id: z.string().regex(ID_PATTERN, "a device id: 1-64 letters, digits, '_' or '-'").openapi({ example: "PV001" }) });

const forecastSchema = z
  .object({
    unit: z.string().openapi({ description: "the device (unit) id" }),
    ts: z.number().openapi({ description: "the reading time the forecast was made from, epoch ms" }),
    power_kw: z.number().openapi({ description: "the forecast in kW; for a registered device clipped to [0, capacity_kw]" }),
    model_power_kw: z.number().openapi({ description: "the model's own forecast in kW, before the device's capacity bounds it" }),
    capacity_kw: z.number().nullable().openapi({ description: "the registered device's capacity; null for a device that reports without being registered" }),
    model_version: z.string().openapi({ example: "solar_forecast@1" }),
  })
  .openapi("PowerForecast");

export function forecastRoutes(forecasts: ForecastReader, devices: Pick<DeviceStore, "find">): RouteModule {
  return (app, guard) => {
    app.openapi(
      guarded(guard, "viewer", {
        method: "get",
        path: "/devices/{id}/forecast",
        tags: ["devices"],
        summary: "A solar device's latest power forecast (solar_forecast), with the model version that made it",
        request: { params },
        responses: { 200: json(forecastSchema, "the latest forecast"), ...errorResponses(404) },
      }),
      (c) => {
        const { id } = c.req.valid("param");
        const forecast = forecasts.latestForecast(id);
        const device = devices.find(id);
        if (forecast !== undefined) return c.json(withinCapacity(forecast, device?.capacityKw), 200);
        if (device === undefined) throw new VigilError("VIGIL_DEVICE_NOT_FOUND", `no device "${id}" is registered or has a forecast`);
        throw new VigilError("VIGIL_FORECAST_NOT_FOUND", `no forecast for device "${id}" yet (it needs a solar_forecast model in Production and readings of its features)`);
      },
    );
  };
}
