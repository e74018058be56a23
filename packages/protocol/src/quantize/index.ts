export { BitWriter, bitWriterDefaults } from './bit-writer.js';
export type { BitWriterOptions } from './bit-writer.js';
export { BitReader } from './bit-reader.js';
export { bitsForPrecision, dequantizeFloat, quantizationStep, quantizeFloat } from './quantize.js';
export { createVectorQuantizer, vectorQuantizerDefaults } from './vector.js';
export type { Vector3Like, VectorQuantizer, VectorQuantizerOptions } from './vector.js';
export {
  createQuaternionQuantizer,
  maxQuaternionErrorRad,
  quaternionAngleRad,
  quaternionQuantizerDefaults,
} from './quaternion.js';
export type { QuaternionLike, QuaternionQuantizer, QuaternionQuantizerOptions } from './quaternion.js';
export { createPackedMovementCodec, packedMovementDefaults } from './packed-movement.js';
export type {
  PackedMovement,
  PackedMovementCodec,
  PackedMovementCodecOptions,
  PackedMovementLayoutField,
} from './packed-movement.js';
