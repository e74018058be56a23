import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { FRAME_HEADER_BYTES, type FrameLimits, resolveFrameLimits } from './frame-header.js';
import { type Frame, readFrameHeader } from './decode-frames.js';

/** Initial capacity of the reassembly buffer, in bytes; it doubles as needed up to one frame. */
const INITIAL_CAPACITY = 256;

/**
 * Incremental frame decoder for byte streams without message boundaries (raw TCP, an engine bridge,
 * a pipe). Feed chunks of any size, including single bytes; it returns every frame completed by each
 * chunk and buffers at most one partial frame (bounded by `maxFrameBytes` + header). After a
 * ProtocolError the stream is unusable: the decoder stays failed and rethrows the same error.
 */
export class FrameStreamDecoder {
  private readonly limits: Readonly<Required<FrameLimits>>;
  private buf: Uint8Array = new Uint8Array(INITIAL_CAPACITY);
  private len = 0;
  private failure: ProtocolError | undefined;

  constructor(limits?: FrameLimits) {
    this.limits = resolveFrameLimits(limits);
  }

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.len;
  }

  /** Adds a chunk and returns the frames it completed (bodies are copies, safe to keep). */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure !== undefined) throw this.failure;
    const frames: Frame[] = [];
    let pos = 0;
    try {
      while (pos < chunk.length) {
        // Take only as many bytes as the current header or frame still needs, so the buffer never
        // holds more than one frame and a bad header is refused before its body is buffered.
        const need = this.bytesNeeded();
        const take = Math.min(need, chunk.length - pos);
        this.append(chunk, pos, take);
        pos += take;
        if (take === need) {
          const frame = this.tryTakeFrame();
          if (frame !== undefined) frames.push(frame);
        }
      }
    } catch (error) {
      this.failure =
        error instanceof ProtocolError
          ? error
          : new ProtocolError(ProtocolErrorCode.MALFORMED_ENVELOPE, 'frame stream failed', { cause: error });
      this.len = 0;
      throw this.failure;
    }
    return frames;
  }

  /** Declares the end of the stream; throws TRUNCATED_FRAME when a partial frame is left. */
  end(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.len > 0) {
      throw new ProtocolError(
        ProtocolErrorCode.TRUNCATED_FRAME,
        `stream ended inside a frame (${this.len} byte(s) buffered)`,
      );
    }
  }

  private bytesNeeded(): number {
    if (this.len < FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES - this.len;
    const { length } = readFrameHeader(this.buf, 0, this.limits);
    return FRAME_HEADER_BYTES + length - this.len;
  }

  /** Called when the buffer holds a whole header, or a whole frame. */
  private tryTakeFrame(): Frame | undefined {
    const { version, length } = readFrameHeader(this.buf, 0, this.limits);
    if (this.len < FRAME_HEADER_BYTES + length) return undefined;
    const body = this.buf.slice(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
    this.len = 0;
    return { version, body };
  }

  private append(chunk: Uint8Array, from: number, count: number): void {
    if (this.len + count > this.buf.length) {
      let capacity = this.buf.length * 2;
      while (capacity < this.len + count) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(chunk.subarray(from, from + count), this.len);
    this.len += count;
  }
}
