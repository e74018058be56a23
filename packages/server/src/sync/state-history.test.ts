import { createEntityStateCodec, ENTITY_STATE_FIELD_ORDER, type QuantizedEntityState } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateHistory } from './state-history.js';

const codec = createEntityStateCodec({ rotationBits: 32 });
const stateAt = (i: number): QuantizedEntityState =>
  codec.quantize({ position: { x: i, y: -i / 10, z: 4000 - i }, rotation: { x: 0.1, y: Math.sin(i), z: 0, w: 1 }, velocity: { x: -20, y: 20, z: i % 7 }, flags: i % 256 });

describe('StateHistory', () => {
  it('answers "which state was in force at tick T" like a list of every push, within its capacity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 80 }), (capacity, gaps) => {
        const history = new StateHistory(capacity);
        const all: { tick: number; state: QuantizedEntityState }[] = [];
        let tick = 0;
        gaps.forEach((gap, i) => {
          tick += gap; // gap 0: the same tick again replaces its entry
          const state = stateAt(i);
          // Both ways in: a state object, or integers in the array layout.
          if (i % 2 === 0) history.push(tick, state);
          else history.pushValues(tick, [0, ...ENTITY_STATE_FIELD_ORDER.map((k) => state[k])], 1);
          if (all.at(-1)?.tick === tick) all[all.length - 1] = { tick, state };
          else all.push({ tick, state });
        });
        const kept = all.slice(-capacity);
        expect(history.size).toBe(kept.length);
        expect(history.latest()).toEqual(kept.at(-1));
        for (let t = 0; t <= tick + 1; t++) {
          const expected = [...kept].reverse().find((e) => e.tick <= t);
          expect(history.at(t)).toEqual(expected);
          const offset = history.offsetAt(t);
          if (expected === undefined) expect(offset).toBe(-1);
          else expect(ENTITY_STATE_FIELD_ORDER.map((k, f) => history.values[offset + f])).toEqual(ENTITY_STATE_FIELD_ORDER.map((k) => expected.state[k]));
        }
        const newest = kept.at(-1)!.state;
        expect(history.offsetAt(tick)).toBe(history.latestOffset());
        expect(history.latestEquals(ENTITY_STATE_FIELD_ORDER.map((k) => newest[k]), 0)).toBe(true);
        expect(history.latestEquals(ENTITY_STATE_FIELD_ORDER.map((k) => (k === 'flags' ? (newest.flags + 1) % 256 : newest[k])), 0)).toBe(false);
      }),
    );
  });

  it('keeps full 32-bit fields exactly and refuses ticks that go backwards or a bad capacity', () => {
    const history = new StateHistory(4);
    const big = { ...stateAt(3), ra: 2 ** 32 - 1, rb: 0, rc: 2 ** 31 };
    history.push(10, big);
    expect(history.at(10)!.state).toEqual(big);
    expect(history.at(9)).toBeUndefined();
    expect(() => history.push(9, big)).toThrow(/before the last recorded tick/);
    expect(() => new StateHistory(0)).toThrow(/positive integer/);
    const empty = new StateHistory(2);
    expect(empty.latestOffset()).toBe(-1);
    expect(empty.offsetAt(100)).toBe(-1);
    expect(empty.latestEquals(new Uint32Array(11), 0)).toBe(false);
  });
});
