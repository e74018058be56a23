import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../codes.js';
import { isProtocolError, ProtocolErrorCode } from '../errors.js';
import { encodeFrame } from '../framing/encode-frames.js';
import { mmo } from '../gen/mmo.js';
import { decodeMessage, encodeMessage, encodeMessageBatch } from './codec.js';
import { decodeEnvelope, encodeEnvelope, type MmoEnvelope } from './envelope.js';

const envelopeArb = fc.record({
  version: fc.constant(1),
  sequence: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  sessionId: fc.string({ maxLength: 40 }),
  type: fc.oneof(fc.constantFrom(...Object.values(MessageType)), fc.integer({ min: 1000, max: 0x7fffffff })),
  payload: fc.uint8Array({ maxLength: 200 }),
  requiresAck: fc.boolean(),
  priority: fc.integer({ min: 0, max: 10 }),
  ack: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
});

function plain(env: MmoEnvelope) {
  return { ...env, payload: [...env.payload] };
}

describe('envelope', () => {
  it('round-trips random valid envelopes, including 53-bit sequences and custom types', () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        const decoded = decodeEnvelope(encodeEnvelope(env));
        expect(plain(decoded)).toEqual(plain(env));
        expect(typeof decoded.sequence).toBe('number');
      }),
      { numRuns: 2000 },
    );
  });

  it('fills proto3 defaults for absent fields', () => {
    const decoded = decodeEnvelope(encodeEnvelope({ type: MessageType.HEARTBEAT }));
    expect(plain(decoded)).toEqual({
      version: 1,
      sequence: 0,
      timestamp: 0,
      sessionId: '',
      type: 1,
      payload: [],
      requiresAck: false,
      priority: 0,
      ack: 0,
    });
  });

  it('refuses to encode values a receiver would refuse', () => {
    for (const bad of [{ type: 0 }, { type: -1 }, { type: 1, priority: 11 }, { type: 1, sequence: -1 }, { type: 1, sequence: 2 ** 60 }]) {
      expect(() => encodeEnvelope(bad)).toThrowError(expect.objectContaining({ code: ProtocolErrorCode.VALUE_OUT_OF_RANGE }));
    }
  });

  it('turns protobufjs errors and field-rule violations into MALFORMED_ENVELOPE', () => {
    const cases: Uint8Array[] = [
      Uint8Array.of(0x0a), // field 1 length-delimited, truncated
      Uint8Array.of(0x08), // varint with no bytes
      Uint8Array.of(0x0f), // wire type 7 (invalid)
      mmo.v1.NetworkMessage.encode({ type: 0 }).finish(), // no type
      mmo.v1.NetworkMessage.encode({ type: 1, priority: 11 }).finish(),
      mmo.v1.NetworkMessage.encode({ type: 1, version: 2 }).finish(),
      mmo.v1.NetworkMessage.encode({ type: 1, sequence: 2 ** 60 }).finish(),
      Uint8Array.of(0x22, 0x02, 0xc3, 0x28), // session_id with invalid UTF-8
    ];
    for (const bytes of cases) {
      expect(() => decodeEnvelope(bytes)).toThrowError(expect.objectContaining({ name: 'ProtocolError', code: ProtocolErrorCode.MALFORMED_ENVELOPE }));
    }
  });
});

describe('decodeMessage', () => {
  it('decodes a batch of framed envelopes in order', () => {
    const msg = encodeMessageBatch([
      { type: MessageType.HEARTBEAT },
      { type: MessageType.PLAYER_ACTION, sequence: 7, payload: Uint8Array.of(1, 2) },
    ]);
    const out = decodeMessage(msg);
    expect(out.map((e) => [e.type, e.sequence, [...e.payload]])).toEqual([
      [1, 0, []],
      [101, 7, [1, 2]],
    ]);
  });

  it('keeps framing codes and reports the failing frame offset', () => {
    const good = encodeMessage({ type: MessageType.HEARTBEAT });
    const broken = encodeFrame(Uint8Array.of(0x0f));
    const msg = new Uint8Array([...good, ...broken]);
    try {
      decodeMessage(msg);
      expect.unreachable();
    } catch (error) {
      expect(isProtocolError(error, ProtocolErrorCode.MALFORMED_ENVELOPE)).toBe(true);
    }
  });

  it('lets nothing but ProtocolError escape on 10^5 random and mutated messages', () => {
    const seeds = [
      encodeMessage({ type: MessageType.PLAYER_MOVE, sequence: 3, payload: new Uint8Array(20).fill(9), sessionId: 'abc' }),
      encodeMessageBatch([{ type: 1 }, { type: 1000, payload: Uint8Array.of(1) }, { type: 4, ack: 99 }]),
    ];
    const mutated = fc
      .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([seed, flips, cut]) => {
        const out = seed.slice(0, seed.length - (cut % 4 === 0 ? cut % seed.length : 0));
        for (const [at, value] of flips) if (out.length > 0) out[at % out.length] = value;
        return out;
      });
    let escapes = 0;
    let errors = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 96 }), mutated), (bytes) => {
        try {
          decodeMessage(bytes, { maxFrameBytes: 4096 });
        } catch (error) {
          errors++;
          if (!isProtocolError(error)) escapes++;
        }
      }),
      { numRuns: 100_000 },
    );
    expect(escapes).toBe(0);
    expect(errors).toBeGreaterThan(50_000);
  });
});
