// @mmo/protocol public surface. Named exports only; see README.md for the manual.
export {
  CloseCode,
  ErrorCode,
  MessageType,
  MessageTypeRange,
  PROTOCOL_VERSION,
  Priority,
  RETRYABLE_CLOSE_CODES,
  RETRYABLE_ERROR_CODES,
  SUBPROTOCOL,
  isRetryableCloseCode,
  isRetryableErrorCode,
} from './codes.js';
export type {
  CloseCodeNumber,
  ErrorCodeNumber,
  MessageTypeName,
  MessageTypeNumber,
  PriorityLevel,
} from './codes.js';

export {
  MmoError,
  ProtocolError,
  ProtocolErrorCode,
  RegistryError,
  isMmoError,
  isProtocolError,
  isRegistryError,
} from './errors.js';
export type { MmoErrorOptions, ProtocolErrorCodeName } from './errors.js';

export {
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  FrameStreamDecoder,
  decodeFrames,
  encodeFrame,
  encodeFrameBatch,
  frameLimitsDefaults,
  readFrameHeader,
  resolveFrameLimits,
} from './framing/index.js';
export type { Frame, FrameLimits } from './framing/index.js';

export {
  MAX_PRIORITY,
  decodeEnvelope,
  decodeMessage,
  encodeEnvelope,
  encodeMessage,
  encodeMessageBatch,
} from './envelope/index.js';
export type { MmoEnvelope, MmoEnvelopeInit } from './envelope/index.js';

export {
  MessageRegistry,
  builtinDescriptors,
  bytesSchema,
  createMessageRegistry,
  defineMessage,
  jsonSchema,
  protobufSchema,
} from './registry/index.js';
export type {
  BuiltinPayloadInit,
  BuiltinPayloadInits,
  BuiltinPayloads,
  BuiltinType,
  JsonSchemaOptions,
  MessageDefinition,
  MessageDescriptor,
  PayloadSchema,
  ProtobufMessageClass,
} from './registry/index.js';

export { pb } from './gen/index.js';
export type { mmo } from './gen/index.js';

export { InboundSequencer, sequencerDefaults } from './sequencer/index.js';
export type { SequencerOptions, SequencerVerdict } from './sequencer/index.js';

export { ManualClock, systemClock } from './time/index.js';
export type { Clock, TimerHandle } from './time/index.js';

export {
  BitReader,
  BitWriter,
  bitWriterDefaults,
  bitsForPrecision,
  createPackedMovementCodec,
  createQuaternionQuantizer,
  createVectorQuantizer,
  dequantizeFloat,
  maxQuaternionErrorRad,
  packedMovementDefaults,
  quantizationStep,
  quantizeFloat,
  quaternionAngleRad,
  quaternionQuantizerDefaults,
  vectorQuantizerDefaults,
} from './quantize/index.js';
export type {
  BitWriterOptions,
  PackedMovement,
  PackedMovementCodec,
  PackedMovementCodecOptions,
  PackedMovementLayoutField,
  QuaternionLike,
  QuaternionQuantizer,
  QuaternionQuantizerOptions,
  Vector3Like,
  VectorQuantizer,
  VectorQuantizerOptions,
} from './quantize/index.js';

export {
  ENTITY_STATE_FIELD_ORDER,
  ENTITY_STATE_FIELDS,
  WORLD_DELTA_MAX_VISIBLE,
  createEntityStateCodec,
  entityStateCodecDefaults,
  readWorldDeltaHeader,
  writeWorldDeltaHeader,
} from './state/index.js';
export type { EntityMotion, EntityStateCodec, EntityStateCodecOptions, IntegerArray, QuantizedEntityState } from './state/index.js';
