import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, type FrameLimits, resolveFrameLimits } from './frame-header.js';

/** One frame found in a message: its version and a zero-copy view of its body. */
export interface Frame {
  version: number;
  /** View into the input (not a copy): copy it if the input buffer is reused. */
  body: Uint8Array;
}

/**
 * Reads the header at `offset` and returns the body length, or throws the ProtocolError for
 * bad magic, unsupported version or an oversize length. `available` is the byte count from offset.
 */
export function readFrameHeader(
  data: Uint8Array,
  offset: number,
  limits: Readonly<Required<FrameLimits>>,
): { version: number; length: number } {
  const magic = (data[offset]! << 8) | data[offset + 1]!;
  if (magic !== FRAME_MAGIC) {
    throw new ProtocolError(
      ProtocolErrorCode.BAD_MAGIC,
      `bad frame magic 0x${magic.toString(16).padStart(4, '0')} at byte ${offset} (expected 0x4d4d)`,
      { offset },
    );
  }
  const version = (data[offset + 2]! << 8) | data[offset + 3]!;
  if (!limits.acceptedVersions.includes(version)) {
    throw new ProtocolError(
      ProtocolErrorCode.UNSUPPORTED_VERSION,
      `unsupported frame version ${version} at byte ${offset} (accepted: ${limits.acceptedVersions.join(', ')})`,
      { offset },
    );
  }
  // >>> 0 keeps the u32 unsigned.
  const length =
    ((data[offset + 4]! << 24) | (data[offset + 5]! << 16) | (data[offset + 6]! << 8) | data[offset + 7]!) >>> 0;
  if (length > limits.maxFrameBytes) {
    throw new ProtocolError(
      ProtocolErrorCode.FRAME_TOO_LARGE,
      `frame at byte ${offset} announces ${length} bytes, over the limit of ${limits.maxFrameBytes}`,
      { offset },
    );
  }
  return { version, length };
}

/**
 * Splits one whole WebSocket message into its frames. Throws {@link ProtocolError} (and nothing
 * else) for an empty message, bad magic, unknown version, an oversize frame, a truncated frame,
 * trailing bytes after the last frame, or more frames than allowed.
 */
export function decodeFrames(data: Uint8Array, limits?: FrameLimits): Frame[] {
  const resolved = resolveFrameLimits(limits);
  if (data.length === 0) {
    throw new ProtocolError(ProtocolErrorCode.EMPTY_MESSAGE, 'empty message');
  }
  const frames: Frame[] = [];
  let offset = 0;
  while (offset < data.length) {
    const remaining = data.length - offset;
    if (remaining < FRAME_HEADER_BYTES) {
      // A short tail after whole frames is junk; a message shorter than one header is a cut frame.
      const code = frames.length > 0 ? ProtocolErrorCode.TRAILING_BYTES : ProtocolErrorCode.TRUNCATED_FRAME;
      throw new ProtocolError(code, `${remaining} byte(s) at ${offset} cannot hold a frame header`, { offset });
    }
    const { version, length } = readFrameHeader(data, offset, resolved);
    if (length > remaining - FRAME_HEADER_BYTES) {
      throw new ProtocolError(
        ProtocolErrorCode.TRUNCATED_FRAME,
        `frame at byte ${offset} announces ${length} bytes but only ${remaining - FRAME_HEADER_BYTES} follow`,
        { offset },
      );
    }
    if (frames.length === resolved.maxFramesPerMessage) {
      throw new ProtocolError(
        ProtocolErrorCode.TOO_MANY_FRAMES,
        `more than ${resolved.maxFramesPerMessage} frames in one message`,
        { offset },
      );
    }
    const start = offset + FRAME_HEADER_BYTES;
    frames.push({ version, body: data.subarray(start, start + length) });
    offset = start + length;
  }
  return frames;
}
