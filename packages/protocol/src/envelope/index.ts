export { decodeEnvelope, encodeEnvelope, MAX_PRIORITY } from './envelope.js';
export type { MmoEnvelope, MmoEnvelopeInit } from './envelope.js';
export { decodeMessage, encodeMessage, encodeMessageBatch } from './codec.js';
