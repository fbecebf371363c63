/**
 * src/ml — rolling-window feature engineering (one definition shared by
 * training and scoring), training algorithms, ONNX export, the micro-batched
 * ONNX scorer and the model registry.
 *
 * Must not depend on actors, connectors, stores or HTTP: it takes feature
 * rows and returns models and scores.
 */
export * from "./features/index.js";
