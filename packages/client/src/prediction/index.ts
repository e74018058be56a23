export { InputRingBuffer } from './input-ring-buffer.js';
export type { PendingInput } from './input-ring-buffer.js';
export { predictorDefaults } from './prediction-options.js';
export type { PredictionModel, PredictorOptions } from './prediction-options.js';
export { createPredictor } from './predictor.js';
export type {
  PredictedInput,
  PredictionCorrectionEvent,
  PredictionCounters,
  Predictor,
  PredictorEvents,
  ReconcileOutcome,
  ReconcileResult,
} from './predictor.js';
