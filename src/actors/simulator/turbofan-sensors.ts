/**
 * The sensors of a run-to-failure unit, modelled on the informative sensors
 * of NASA's C-MAPSS turbofan data (FD001: one operating condition, one fault
 * mode). Levels, drift to failure and noise are rounded from that data set's
 * published ranges; the simulator never reads the data itself.
 */

export interface TurbofanSensor {
  readonly id: string;
  readonly description: string;
  /** Typical level early in a unit's life (at wear FIRST_WEAR). */
  readonly first: number;
  /** Typical level on the cycle it fails (wear 1). */
  readonly failure: number;
  /** Measurement noise, standard deviation. */
  readonly noise: number;
  readonly decimals: number;
}

/** The mean initial wear of a new life, at which `first` applies. */
export const FIRST_WEAR = 0.1;

export const TURBOFAN_SENSORS: readonly TurbofanSensor[] = [
  { id: "T24", description: "LPC outlet temperature (°R)", first: 642.4, failure: 643.7, noise: 0.3, decimals: 2 },
  { id: "T30", description: "HPC outlet temperature (°R)", first: 1586.8, failure: 1602.3, noise: 4, decimals: 2 },
  { id: "T50", description: "LPT outlet temperature (°R)", first: 1402.6, failure: 1428.9, noise: 4, decimals: 2 },
  { id: "P30", description: "HPC outlet pressure (psia)", first: 554.0, failure: 551.5, noise: 0.4, decimals: 2 },
  { id: "Nf", description: "physical fan speed (rpm)", first: 2388.06, failure: 2388.23, noise: 0.03, decimals: 2 },
  { id: "Nc", description: "physical core speed (rpm)", first: 9056, failure: 9098, noise: 4.2, decimals: 2 },
  { id: "Ps30", description: "HPC outlet static pressure (psia)", first: 47.35, failure: 48.14, noise: 0.1, decimals: 2 },
  { id: "phi", description: "fuel flow to Ps30 ratio (pps/psi)", first: 521.9, failure: 519.8, noise: 0.3, decimals: 2 },
  { id: "NRf", description: "corrected fan speed (rpm)", first: 2388.06, failure: 2388.23, noise: 0.03, decimals: 2 },
  { id: "NRc", description: "corrected core speed (rpm)", first: 8137, failure: 8167, noise: 3.1, decimals: 2 },
  { id: "BPR", description: "bypass ratio", first: 8.418, failure: 8.52, noise: 0.02, decimals: 4 },
  { id: "htBleed", description: "bleed enthalpy", first: 392.3, failure: 396.2, noise: 0.9, decimals: 0 },
  { id: "W31", description: "HPT coolant bleed (lbm/s)", first: 38.94, failure: 38.45, noise: 0.1, decimals: 2 },
  { id: "W32", description: "LPT coolant bleed (lbm/s)", first: 23.36, failure: 23.07, noise: 0.06, decimals: 4 },
];
