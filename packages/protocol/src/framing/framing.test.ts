import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolErrorCode } from '../errors.js';
import { decodeFrames } from './decode-frames.js';
import { encodeFrame, encodeFrameBatch } from './encode-frames.js';
import { FRAME_HEADER_BYTES } from './frame-header.js';
import { FrameStreamDecoder } from './stream-decoder.js';

const body = (...bytes: number[]) => Uint8Array.from(bytes);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(isProtocolError(error)).toBe(true);
    return (error as { code: string }).code;
  }
  return undefined;
}

describe('frame header', () => {
  it('writes magic, version and big-endian length exactly as pinned', () => {
    const frame = encodeFrame(body(0xaa, 0xbb, 0xcc));
    expect([...frame]).toEqual([0x4d, 0x4d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc]);
  });

  it('encodes a 300-byte body length across two bytes', () => {
    const frame = encodeFrame(new Uint8Array(300));
    expect([...frame.subarray(4, 8)]).toEqual([0, 0, 1, 44]);
  });
});

describe('decodeFrames', () => {
  it('returns every frame of a batch in order, as views', () => {
    const batch = encodeFrameBatch([body(1), body(), body(2, 3)]);
    const frames = decodeFrames(batch);
    expect(frames.map((f) => [...f.body])).toEqual([[1], [], [2, 3]]);
    expect(frames.every((f) => f.version === 1)).toBe(true);
  });

  it('rejects each malformed case with its own code', () => {
    const good = encodeFrame(body(1, 2, 3));
    const badMagic = good.slice();
    badMagic[0] = 0x4e;
    const badVersion = good.slice();
    badVersion[3] = 2;
    const truncated = good.subarray(0, good.length - 1);
    const shortHeader = good.subarray(0, 5);
    const trailing = new Uint8Array([...good, 0x4d, 0x4d]);
    const oversize = encodeFrame(new Uint8Array(65));

    expect(codeOf(() => decodeFrames(new Uint8Array(0)))).toBe(ProtocolErrorCode.EMPTY_MESSAGE);
    expect(codeOf(() => decodeFrames(badMagic))).toBe(ProtocolErrorCode.BAD_MAGIC);
    expect(codeOf(() => decodeFrames(badVersion))).toBe(ProtocolErrorCode.UNSUPPORTED_VERSION);
    expect(codeOf(() => decodeFrames(truncated))).toBe(ProtocolErrorCode.TRUNCATED_FRAME);
    expect(codeOf(() => decodeFrames(shortHeader))).toBe(ProtocolErrorCode.TRUNCATED_FRAME);
    expect(codeOf(() => decodeFrames(trailing))).toBe(ProtocolErrorCode.TRAILING_BYTES);
    expect(codeOf(() => decodeFrames(oversize, { maxFrameBytes: 64 }))).toBe(ProtocolErrorCode.FRAME_TOO_LARGE);
    expect(codeOf(() => decodeFrames(encodeFrameBatch([body(), body(), body()]), { maxFramesPerMessage: 2 }))).toBe(
      ProtocolErrorCode.TOO_MANY_FRAMES,
    );
  });

  it('refuses an oversize length before reading the body (4 GiB claim in 8 bytes)', () => {
    const header = Uint8Array.from([0x4d, 0x4d, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    expect(codeOf(() => decodeFrames(header))).toBe(ProtocolErrorCode.FRAME_TOO_LARGE);
  });

  it('accepts another version only when configured', () => {
    const v2 = encodeFrame(body(9), 2);
    expect(decodeFrames(v2, { acceptedVersions: [1, 2] })[0]?.version).toBe(2);
  });

  it('never throws anything but ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeFrames(bytes, { maxFrameBytes: 32 });
        } catch (error) {
          return isProtocolError(error);
        }
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips any batch of bodies', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { minLength: 1, maxLength: 20 }), (bodies) => {
        const frames = decodeFrames(encodeFrameBatch(bodies));
        expect(frames.map((f) => [...f.body])).toEqual(bodies.map((b) => [...b]));
      }),
    );
  });
});

describe('FrameStreamDecoder', () => {
  it('reassembles frames fed one byte at a time', () => {
    const bodies = [body(1, 2, 3), body(), new Uint8Array(1000).fill(7), body(4)];
    const stream = encodeFrameBatch(bodies);
    const decoder = new FrameStreamDecoder();
    const out: number[][] = [];
    for (const byte of stream) {
      for (const frame of decoder.push(Uint8Array.of(byte))) out.push([...frame.body]);
    }
    expect(out).toEqual(bodies.map((b) => [...b]));
    expect(decoder.bufferedBytes).toBe(0);
    expect(() => decoder.end()).not.toThrow();
  });

  it('gives the same frames for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 }),
        (bodies, cuts) => {
          const stream = encodeFrameBatch(bodies);
          const decoder = new FrameStreamDecoder();
          const out: number[][] = [];
          let pos = 0;
          let i = 0;
          while (pos < stream.length) {
            const size = cuts[i++ % cuts.length]!;
            for (const f of decoder.push(stream.subarray(pos, pos + size))) out.push([...f.body]);
            pos += size;
          }
          expect(out).toEqual(bodies.map((b) => [...b]));
        },
      ),
    );
  });

  it('refuses a bad header as soon as its 8 bytes arrive, and stays failed', () => {
    const decoder = new FrameStreamDecoder({ maxFrameBytes: 10 });
    const frame = encodeFrame(new Uint8Array(11));
    for (let i = 0; i < FRAME_HEADER_BYTES - 1; i++) decoder.push(frame.subarray(i, i + 1));
    expect(codeOf(() => decoder.push(frame.subarray(7, 8)))).toBe(ProtocolErrorCode.FRAME_TOO_LARGE);
    expect(codeOf(() => decoder.push(encodeFrame(body(1))))).toBe(ProtocolErrorCode.FRAME_TOO_LARGE);
  });

  it('reports a stream cut inside a frame on end()', () => {
    const decoder = new FrameStreamDecoder();
    decoder.push(encodeFrame(body(1, 2, 3)).subarray(0, 9));
    expect(codeOf(() => decoder.end())).toBe(ProtocolErrorCode.TRUNCATED_FRAME);
  });
});
