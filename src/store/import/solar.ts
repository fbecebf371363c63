/**
 * The sun's position and a clear-sky irradiance estimate, for solar
 * features of files that say where the site is (NSRDB metadata).
 *
 * Position: the NOAA/Spencer approximations — declination and the equation of
 * time as Fourier series of the day of year, hour angle from the true solar
 * time. Good to a few tenths of a degree, plenty for hourly or half-hourly
 * data, and no ephemeris tables.
 *
 * Clear sky: the Haurwitz model, GHI_cs = 1098 · cos z · exp(−0.057 / cos z)
 * W/m² (Haurwitz 1945; in Reno & Hansen's 2016 comparison it was the best of
 * the models that need only the zenith angle). It ignores turbidity, water
 * vapour and altitude, so the clear-sky index of a truly clear day can read a
 * little above or below 1 by site.
 */

const DEG = Math.PI / 180;
const DAY_MS = 86_400_000;

/** Solar zenith angle in degrees (0 overhead, 90 on the horizon, above 90 below it). */
export function solarZenithDeg(ts: number, latitudeDeg: number, longitudeDeg: number): number {
  const date = new Date(ts);
  const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((ts - startOfYear) / DAY_MS) + 1;
  const hours = (ts - Math.floor(ts / DAY_MS) * DAY_MS) / 3_600_000;
  const yearDays = date.getUTCFullYear() % 4 === 0 ? 366 : 365;
  const g = ((2 * Math.PI) / yearDays) * (dayOfYear - 1 + (hours - 12) / 24); // fractional year, radians
  const eqTimeMin =
    229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl =
    0.006918 -
    0.399912 * Math.cos(g) +
    0.070257 * Math.sin(g) -
    0.006758 * Math.cos(2 * g) +
    0.000907 * Math.sin(2 * g) -
    0.002697 * Math.cos(3 * g) +
    0.00148 * Math.sin(3 * g);
  const trueSolarMin = hours * 60 + eqTimeMin + 4 * longitudeDeg;
  const hourAngle = (trueSolarMin / 4 - 180) * DEG;
  const lat = latitudeDeg * DEG;
  const cosZ = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
  return Math.acos(Math.max(-1, Math.min(1, cosZ))) / DEG;
}

/** Haurwitz clear-sky global horizontal irradiance, W/m²; 0 with the sun at or below the horizon. */
export function haurwitzGhi(zenithDeg: number): number {
  const cosZ = Math.cos(zenithDeg * DEG);
  return cosZ <= 0 ? 0 : 1098 * cosZ * Math.exp(-0.057 / cosZ);
}

/**
 * Below this irradiance a ratio to it (clear-sky index, performance ratio) is
 * left empty: near sunrise and sunset a ratio of two small numbers swings
 * wildly and tells nothing about clouds or panels.
 */
export const MIN_IRRADIANCE_FOR_RATIO = 50; // W/m²
