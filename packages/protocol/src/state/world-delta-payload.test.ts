import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageType } from '../codes.js';
import { mmo } from '../gen/mmo.js';
import { createMessageRegistry } from '../registry/registry.js';
import { worldDeltaSchema } from './world-delta-payload.js';

const WorldStateDelta = mmo.v1.WorldStateDelta;
type Init = mmo.v1.IWorldStateDelta;

/** What the generated protobufjs encoder writes (the bytes the hand-written one must match). */
const reference = (v: Init): Uint8Array => new Uint8Array(WorldStateDelta.encode(v).finish());

/** Values at every uint32 varint length boundary, out of range ones (protobufjs wraps them with >>> 0) and odd numbers. */
const uintField = fc.oneof(
  fc.constantFrom(0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32, 2 ** 40, -1, -0, 1.5, Number.NaN),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }),
);
const timestampField = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 127, 128, 2 ** 31, 2 ** 32, -(2 ** 32), 2 ** 49, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
);
const packedField = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 120, maxLength: 300 }));

/** Packed-form deltas, each field present, absent, null or zero. */
const packedForm: fc.Arbitrary<Init> = fc.record(
  {
    tick: fc.option(uintField, { nil: undefined }),
    baseTick: fc.option(uintField, { nil: undefined }),
    timestamp: fc.option(timestampField, { nil: undefined }),
    lastProcessedInput: fc.option(uintField, { nil: undefined }),
    packed: fc.option(packedField, { nil: undefined }),
    entities: fc.constantFrom(undefined, []),
    removed: fc.constantFrom(undefined, []),
  },
  { requiredKeys: [] },
) as unknown as fc.Arbitrary<Init>; // explicit undefined fields too: the encoder must treat them as absent

describe('WORLD_DELTA payload', () => {
  it('writes exactly the generated encoder bytes for packed-form deltas (property)', () => {
    fc.assert(
      fc.property(packedForm, (v) => {
        expect(new Uint8Array(worldDeltaSchema.encode(v))).toEqual(reference(v));
      }),
      { numRuns: 5_000 },
    );
  });

  it('matches the generated encoder for values it hands over (entities, removed, Long, odd types)', () => {
    const cases: Init[] = [
      { tick: 3, entities: [{ entityId: 7, changedFields: 1 }] },
      { tick: 3, removed: [1, 2, 300] },
      { tick: 3, timestamp: { low: 5, high: 1, unsigned: false } as never },
      { tick: 3, timestamp: 1.5 },
      { tick: '12' as never, packed: Uint8Array.of(1, 2) },
      Object.assign(Object.create({ inherited: true }) as Init, { tick: 9 }),
      { tick: 4, packed: null, timestamp: null, baseTick: null, lastProcessedInput: null },
    ];
    for (const v of cases) expect(new Uint8Array(worldDeltaSchema.encode(v))).toEqual(reference(v));
  });

  it('round-trips through the registry as WORLD_DELTA', () => {
    const registry = createMessageRegistry();
    const packed = Uint8Array.from({ length: 100 }, (_, i) => i * 7);
    const bytes = registry.pack(MessageType.WORLD_DELTA, { tick: 1234, timestamp: 1_800_000_000_123, lastProcessedInput: 99, packed });
    const back = registry.unpack(MessageType.WORLD_DELTA, bytes);
    expect(back.tick).toBe(1234);
    expect(Number(back.timestamp)).toBe(1_800_000_000_123);
    expect(back.lastProcessedInput).toBe(99);
    expect(new Uint8Array(back.packed)).toEqual(packed);
  });
});
