import { isMmoError } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputRingBuffer, type PendingInput } from './input-ring-buffer.js';

const entry = (tick: number): PendingInput<string> => ({ tick, input: `i${tick}`, dtMs: 50 });
const ticks = (buffer: InputRingBuffer<string>) => buffer.toArray().map((e) => e.tick);

describe('InputRingBuffer', () => {
  it('keeps entries oldest first and reports first/last', () => {
    const buffer = new InputRingBuffer<string>(4);
    expect(buffer.first()).toBeUndefined();
    expect(buffer.last()).toBeUndefined();
    for (const t of [1, 2, 3]) expect(buffer.push(entry(t))).toBeUndefined();
    expect(ticks(buffer)).toEqual([1, 2, 3]);
    expect(buffer.first()?.tick).toBe(1);
    expect(buffer.last()?.tick).toBe(3);
    expect(buffer.size).toBe(3);
  });

  it('evicts and returns the oldest entry when full, never growing past capacity', () => {
    const buffer = new InputRingBuffer<string>(3);
    for (const t of [1, 2, 3]) buffer.push(entry(t));
    expect(buffer.push(entry(4))?.tick).toBe(1);
    expect(buffer.push(entry(5))?.tick).toBe(2);
    expect(ticks(buffer)).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(3);
  });

  it('dropThrough removes acknowledged ticks across the wrap-around', () => {
    const buffer = new InputRingBuffer<string>(3);
    for (const t of [1, 2, 3, 4, 5]) buffer.push(entry(t)); // head has wrapped
    expect(buffer.dropThrough(3)).toBe(1);
    expect(ticks(buffer)).toEqual([4, 5]);
    expect(buffer.dropThrough(3)).toBe(0);
    expect(buffer.dropThrough(100)).toBe(2);
    expect(buffer.size).toBe(0);
    buffer.push(entry(101));
    expect(ticks(buffer)).toEqual([101]);
  });

  it('clear empties it', () => {
    const buffer = new InputRingBuffer<string>(2);
    buffer.push(entry(1));
    buffer.clear();
    expect(buffer.size).toBe(0);
    expect(ticks(buffer)).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses capacity %s with INVALID_OPTIONS', (capacity) => {
    let caught: unknown;
    try {
      new InputRingBuffer<string>(capacity);
    } catch (error) {
      caught = error;
    }
    expect(isMmoError(caught) && caught.code).toBe('INVALID_OPTIONS');
  });

  it('behaves like an array trimmed to the newest `capacity` entries (property)', () => {
    const op = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ kind: 'push' as const, n: 0 }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const), n: fc.nat(40) }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const, n: 0 }) },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 80 }), (capacity, ops) => {
        const buffer = new InputRingBuffer<string>(capacity);
        let model: number[] = [];
        let next = 1;
        for (const { kind, n } of ops) {
          if (kind === 'push') {
            const evicted = buffer.push(entry(next));
            model.push(next++);
            const expected = model.length > capacity ? model.shift() : undefined;
            expect(evicted?.tick).toBe(expected);
          } else if (kind === 'drop') {
            const before = model.length;
            model = model.filter((t) => t > n);
            expect(buffer.dropThrough(n)).toBe(before - model.length);
          } else {
            buffer.clear();
            model = [];
          }
          expect(ticks(buffer)).toEqual(model);
          expect(buffer.size).toBeLessThanOrEqual(capacity);
          expect(buffer.first()?.tick).toBe(model[0]);
          expect(buffer.last()?.tick).toBe(model[model.length - 1]);
        }
      }),
    );
  });
});
