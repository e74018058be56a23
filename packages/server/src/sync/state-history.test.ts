import { createEntityStateCodec, ENTITY_STATE_FIELD_ORDER, type QuantizedEntityState } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntityStateStore } from './entity-state-store.js';
import { StateHistory } from './state-history.js';

const codec = createEntityStateCodec({ rotationBits: 32 });
const stateAt = (i: number): QuantizedEntityState =>
  codec.quantize({ position: { x: i, y: -i / 10, z: 4000 - i }, rotation: { x: 0.1, y: Math.sin(i), z: 0, w: 1 }, velocity: { x: -20, y: 20, z: i % 7 }, flags: i % 256 });
const fieldsOf = (q: QuantizedEntityState) => ENTITY_STATE_FIELD_ORDER.map((k) => q[k]);

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
          history.push(tick, state);
          if (all.at(-1)?.tick === tick) all[all.length - 1] = { tick, state };
          else all.push({ tick, state });
        });
        const kept = all.slice(-capacity);
        expect(history.size).toBe(kept.length);
        expect(history.latest()).toEqual(kept.at(-1));
        for (let t = 0; t <= tick + 1; t++) {
          const expected = [...kept].reverse().find((e) => e.tick <= t);
          expect(history.at(t)).toEqual(expected);
        }
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
    expect(new StateHistory(2).latest()).toBeUndefined();
  });
});

describe('EntityStateStore', () => {
  it('keeps many entities apart, each like its own list of pushes, through growth and index reuse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 150 }),
        (depth, ops) => {
          const store = new EntityStateStore(depth, 1);
          const lists = new Map<number, { tick: number; state: QuantizedEntityState }[]>();
          const ticks = new Map<number, number>();
          const views = new Map<number, StateHistory>();
          ops.forEach(([index, gap, reuse], i) => {
            if (!lists.has(index) || (reuse && i % 7 === 0)) {
              store.claim(index);
              lists.set(index, []);
              ticks.set(index, 0);
              const old = views.get(index);
              views.set(index, new StateHistory(depth, store, index));
              if (old !== undefined) expect(old.size).toBe(0); // a view of the index's former owner
            }
            const tick = ticks.get(index)! + gap;
            ticks.set(index, tick);
            const state = stateAt(i);
            store.push(index, tick, [7, ...fieldsOf(state)], 1);
            const list = lists.get(index)!;
            if (list.at(-1)?.tick === tick) list[list.length - 1] = { tick, state };
            else list.push({ tick, state });
          });
          for (const [index, list] of lists) {
            const kept = list.slice(-depth);
            const newest = kept.at(-1)!;
            expect(store.count(index)).toBe(kept.length);
            expect(store.currentEquals(index, fieldsOf(newest.state), 0)).toBe(true);
            expect(store.currentEquals(index, fieldsOf({ ...newest.state, flags: (newest.state.flags + 1) % 256 }), 0)).toBe(false);
            expect(views.get(index)!.latest()).toEqual(newest);
            for (let t = -1; t <= ticks.get(index)! + 1; t++) {
              const expected = [...kept].reverse().find((e) => e.tick <= t);
              const offset = store.offsetAt(index, t);
              if (expected === undefined) {
                expect(offset).toBe(-1);
              } else {
                expect(store.tickAtOffset(offset)).toBe(expected.tick);
                expect(Array.from(store.states.subarray(offset, offset + 11))).toEqual(fieldsOf(expected.state));
              }
              expect(views.get(index)!.at(t)).toEqual(expected);
            }
          }
        },
      ),
    );
  });

  it('a fresh index has no current state and refuses ticks that go backwards', () => {
    const store = new EntityStateStore(3);
    store.claim(5);
    expect(store.currentEquals(5, new Uint32Array(11), 0)).toBe(false);
    expect(store.offsetAt(5, 100)).toBe(-1);
    store.push(5, 10, new Uint32Array(11), 0);
    expect(() => store.push(5, 9, new Uint32Array(11), 0)).toThrow(/before the last recorded tick/);
    expect(() => new EntityStateStore(0)).toThrow(/positive integer/);
  });
});
