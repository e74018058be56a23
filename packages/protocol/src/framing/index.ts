export { FRAME_HEADER_BYTES, FRAME_MAGIC, frameLimitsDefaults, resolveFrameLimits } from './frame-header.js';
export type { FrameLimits } from './frame-header.js';
export { encodeFrame, encodeFrameBatch } from './encode-frames.js';
export { decodeFrames, readFrameHeader } from './decode-frames.js';
export type { Frame } from './decode-frames.js';
export { FrameStreamDecoder } from './stream-decoder.js';
