/**
 * Readings: the shape every protocol's data is turned into, its validation,
 * rejection reasons and counters, and the pipeline's output types.
 */
export * from "./reading.js";
export * from "./processed.js";
export * from "./rejections.js";
export * from "./validate.js";
export * from "./wire.js";
