export { createInterpolator } from './interpolator.js';
export type { InterpolatedState, InterpolationStatus, Interpolator } from './interpolator.js';
export {
  interpolationDefaults,
  interpolationDelayForTickRate,
  resolveInterpolationOptions,
} from './interpolation-options.js';
export type { InterpolationOptions, InterpolationPositionMode } from './interpolation-options.js';
export { SnapshotBuffer } from './snapshot-buffer.js';
export type { InterpolationPushResult, InterpolationSample } from './snapshot-buffer.js';
export { slerpQuaternion } from './blend.js';
