/**
 * The pinned frame header: `magic u16 = 0x4D4D ('MM') | version u16 | length u32 big-endian`,
 * followed by `length` bytes of protobuf NetworkMessage.
 */

/** Magic number at the start of every frame ('MM'). */
export const FRAME_MAGIC = 0x4d4d;

/** Size of the frame header in bytes. */
export const FRAME_HEADER_BYTES = 8;

/** Options shared by every frame decoder. */
export interface FrameLimits {
  /**
   * Largest accepted frame body (the NetworkMessage bytes), in bytes. A header announcing more is
   * refused before any of the body is read.
   * @default 1048576 (1 MiB)
   */
  maxFrameBytes?: number;
  /**
   * Largest number of frames accepted in one WebSocket message (one batch).
   * @default 1024
   */
  maxFramesPerMessage?: number;
  /**
   * Frame versions this side accepts.
   * @default [1]
   */
  acceptedVersions?: readonly number[];
}

/** Defaults of {@link FrameLimits}. */
export const frameLimitsDefaults: Readonly<Required<FrameLimits>> = Object.freeze({
  // 1 MiB: a full snapshot of a crowded zone fits; a hostile length does not allocate much.
  maxFrameBytes: 1024 * 1024,
  // A 20 Hz tick batches a handful of frames; 1024 leaves room for bursts and caps parser work.
  maxFramesPerMessage: 1024,
  acceptedVersions: Object.freeze([1]),
});

/** Fills in defaults once; decoders keep the result. */
export function resolveFrameLimits(limits: FrameLimits | undefined): Readonly<Required<FrameLimits>> {
  if (limits === undefined) return frameLimitsDefaults;
  return {
    maxFrameBytes: limits.maxFrameBytes ?? frameLimitsDefaults.maxFrameBytes,
    maxFramesPerMessage: limits.maxFramesPerMessage ?? frameLimitsDefaults.maxFramesPerMessage,
    acceptedVersions: limits.acceptedVersions ?? frameLimitsDefaults.acceptedVersions,
  };
}

/** Writes a frame header for a body of `length` bytes at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, version: number, length: number): void {
  target[offset] = FRAME_MAGIC >>> 8;
  target[offset + 1] = FRAME_MAGIC & 0xff;
  target[offset + 2] = (version >>> 8) & 0xff;
  target[offset + 3] = version & 0xff;
  target[offset + 4] = (length >>> 24) & 0xff;
  target[offset + 5] = (length >>> 16) & 0xff;
  target[offset + 6] = (length >>> 8) & 0xff;
  target[offset + 7] = length & 0xff;
}
