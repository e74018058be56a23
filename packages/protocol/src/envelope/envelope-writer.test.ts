import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../codes.js';
import { encodeFrame, encodeFrameBatch } from '../framing/encode-frames.js';
import { mmo } from '../gen/mmo.js';
import { encodeMessage, encodeMessageBatch } from './codec.js';
import { encodeEnvelope, type MmoEnvelopeInit } from './envelope.js';
import { envelopeSize } from './envelope-writer.js';

const NetworkMessage = mmo.v1.NetworkMessage;

/** Plain bytes (protobufjs returns a Buffer under Node; the comparison is about bytes only). */
const plain = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

/**
 * Byte equality with a short message naming the first difference: element-wise `toEqual` on
 * 16 KiB arrays makes a property run of thousands of cases crawl.
 */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  let at = actual.length === expected.length ? -1 : Math.min(actual.length, expected.length);
  for (let i = 0; at < 0 && i < actual.length; i++) if (actual[i] !== expected[i]) at = i;
  if (at < 0) return;
  const hex = (b: Uint8Array) => Array.from(b.subarray(Math.max(0, at - 4), at + 12), (x) => x.toString(16).padStart(2, '0')).join(' ');
  expect.fail(`bytes differ at ${at} (lengths ${actual.length} / ${expected.length}): ${hex(actual)} vs ${hex(expected)}`);
}

/** What the generated protobufjs encoder writes for `init` (the bytes the hand-written writer must match). */
function reference(init: MmoEnvelopeInit): Uint8Array {
  return new Uint8Array(
    NetworkMessage.encode({
      version: init.version ?? 1,
      sequence: init.sequence ?? 0,
      timestamp: init.timestamp ?? 0,
      sessionId: init.sessionId ?? '',
      type: init.type,
      payload: init.payload ?? new Uint8Array(0),
      requiresAck: init.requiresAck ?? false,
      priority: init.priority ?? 0,
      ack: init.ack ?? 0,
    }).finish(),
  );
}

/** Values around every varint length boundary (7, 14, 21, 28, 31, 32, 35, 42, 49 bits) and 2^53. */
const boundaryUint = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 42, 2 ** 49, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 0, max: 2 ** 32 }),
);
const timestampArb = fc.oneof(
  boundaryUint,
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: 0 }),
  fc.constantFrom(-1, -127, -128, -(2 ** 31), -(2 ** 32), -(2 ** 32) - 1, Number.MIN_SAFE_INTEGER, -0),
);

const initArb: fc.Arbitrary<MmoEnvelopeInit> = fc.record(
  {
    version: fc.constantFrom(0, 1, 2, 127, 128, 300),
    sequence: boundaryUint,
    timestamp: timestampArb,
    type: fc.oneof(fc.constantFrom(...Object.values(MessageType), 127, 128, 0x7fffffff), fc.integer({ min: 1, max: 0x7fffffff })),
    payload: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(new Uint8Array(0), new Uint8Array(16384).fill(7))),
    requiresAck: fc.boolean(),
    priority: fc.integer({ min: 0, max: 10 }),
    ack: boundaryUint,
  },
  { requiredKeys: ['type'] },
);

describe('hand-written envelope writer', () => {
  it('writes exactly the bytes of the generated protobufjs encoder', () => {
    fc.assert(
      fc.property(initArb, (init) => {
        const expected = reference(init);
        expectSameBytes(encodeEnvelope(init), expected);
        expectSameBytes(encodeMessage(init), encodeFrame(expected));
      }),
      { numRuns: 5000 },
    );
  });

  it('sizes the body exactly', () => {
    fc.assert(
      fc.property(initArb, (init) => {
        const fields = {
          version: init.version ?? 1,
          sequence: init.sequence ?? 0,
          timestamp: init.timestamp ?? 0,
          type: init.type,
          payload: init.payload ?? new Uint8Array(0),
          requiresAck: init.requiresAck ?? false,
          priority: init.priority ?? 0,
          ack: init.ack ?? 0,
        };
        expect(envelopeSize(fields)).toBe(reference(init).length);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves envelopes with a session id to protobufjs, with the same bytes as before', () => {
    for (const sessionId of ['abc', 'é☃', '\u{1F600}', 'x'.repeat(50), '\ud800']) {
      const init = { type: MessageType.HEARTBEAT, sessionId, sequence: 3, payload: Uint8Array.of(1, 2) };
      expect(plain(encodeEnvelope(init))).toEqual(reference(init));
      expect(plain(encodeMessage(init))).toEqual(encodeFrame(reference(init)));
    }
  });

  it('writes a payload that is a view into a larger buffer (only its bytes)', () => {
    const backing = Uint8Array.from({ length: 64 }, (_, i) => i);
    const init = { type: MessageType.WORLD_DELTA, payload: backing.subarray(10, 30), timestamp: 1_700_000_000_000 };
    expect(plain(encodeMessage(init))).toEqual(encodeFrame(reference(init)));
  });

  it('batches frame by frame as before', () => {
    const inits: MmoEnvelopeInit[] = [
      { type: MessageType.HEARTBEAT },
      { type: MessageType.PLAYER_ACTION, sequence: 7, payload: Uint8Array.of(1, 2), ack: 4, priority: 9, requiresAck: true },
      { type: 1000, sessionId: 's', timestamp: -5 },
    ];
    expect(plain(encodeMessageBatch(inits))).toEqual(encodeFrameBatch(inits.map(reference)));
  });
});
