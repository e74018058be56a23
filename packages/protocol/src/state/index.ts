// Entity state on the wire: quantized states, full and delta records, the WORLD_DELTA layout.
export { createEntityStateCodec, entityStateCodecDefaults } from './entity-state-codec.js';
export type { EntityMotion, EntityStateCodec, EntityStateCodecOptions, QuantizedEntityState } from './entity-state-codec.js';
export { WORLD_DELTA_MAX_VISIBLE, readWorldDeltaHeader, writeWorldDeltaHeader } from './world-delta.js';
