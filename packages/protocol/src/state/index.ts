// Entity state on the wire: quantized states, full and delta records, the WORLD_DELTA layout.
export { createEntityStateCodec, ENTITY_STATE_FIELD_ORDER, ENTITY_STATE_FIELDS, entityStateCodecDefaults } from './entity-state-codec.js';
export type { EntityMotion, EntityStateCodec, EntityStateCodecOptions, IntegerArray, QuantizedEntityState } from './entity-state-codec.js';
export { WORLD_DELTA_MAX_VISIBLE, readWorldDeltaHeader, writeWorldDeltaHeader } from './world-delta.js';
