import { MmoError } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterestSet, interestSetDefaults } from './interest-set.js';
import { ReferenceGrid, ReferenceInterestSet } from './reference-interest.js';
import { SpatialGrid } from './spatial-grid.js';

const origin = { x: 0, y: 0, z: 0 };
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('InterestSet', () => {
  it('enters within enterRadius, exits beyond exitRadius, ignores the observer itself', () => {
    const grid = new SpatialGrid<number>({ cellSize: 16 });
    const interest = new InterestSet<number>({ enterRadius: 50, exitRadius: 60 });
    grid.insert(0, 0, 0, 0); // the observer
    grid.insert(1, 40, 0, 0);
    grid.insert(2, 55, 0, 0); // inside exit radius but never entered
    expect(interest.update(grid, origin, 0)).toEqual({ entered: [1], exited: [] });
    expect(interest.has(1)).toBe(true);
    expect(interest.has(0)).toBe(false);
    expect(interest.has(2)).toBe(false);
    expect(interest.distanceSq(1)).toBe(1600);

    grid.move(1, 58, 0, 0); // in the band: stays
    expect(interest.update(grid, origin, 0)).toEqual({ entered: [], exited: [] });
    grid.move(1, 60.5, 0, 0);
    expect(interest.update(grid, origin, 0)).toEqual({ entered: [], exited: [1] });
    expect(interest.size).toBe(0);
  });

  it('does not flicker: an entity oscillating around the enter radius enters once and never exits', () => {
    const grid = new SpatialGrid<string>();
    const interest = new InterestSet<string>({ enterRadius: 100 }); // exit 115
    grid.insert('walker', 120, 0, 0);
    const events: string[] = [];
    for (let t = 0; t < 2000; t++) {
      grid.move('walker', 100 + 10 * Math.sin(t / 7), 0, 3 * Math.cos(t / 3));
      const { entered, exited } = interest.update(grid, origin);
      for (const id of entered) events.push(`+${id}`);
      for (const id of exited) events.push(`-${id}`);
    }
    expect(events).toEqual(['+walker']);
    expect(interest.exitRadius).toBeCloseTo(115, 10);
  });

  it('a despawned entity (no longer in the grid) exits', () => {
    const grid = new SpatialGrid<number>();
    const interest = new InterestSet<number>();
    grid.insert(1, 10, 0, 0);
    grid.insert(2, 20, 0, 0);
    expect(sorted(interest.update(grid, origin).entered)).toEqual([1, 2]);
    grid.remove(2);
    expect(interest.update(grid, origin)).toEqual({ entered: [], exited: [2] });
    expect([...interest.members()]).toEqual([1]);
  });

  it('caps the set at maxEntities, keeping the nearest, entered nearest first', () => {
    const grid = new SpatialGrid<number>();
    const interest = new InterestSet<number>({ enterRadius: 100, maxEntities: 256 });
    // 400 entities at distinct distances 0.2 .. 80, inserted in scrambled order.
    for (let i = 0; i < 400; i++) {
      const id = (i * 7919) % 400;
      grid.insert(id, (id + 1) * 0.2, 0, 0);
    }
    const { entered } = interest.update(grid, origin);
    expect(entered).toEqual([...Array(256).keys()]);
    expect(interest.size).toBe(256);
    // Steady crowd: nothing changes.
    expect(interest.update(grid, origin)).toEqual({ entered: [], exited: [] });
  });

  it('under the cap, a member holds its place unless a newcomer is nearer by the hysteresis ratio', () => {
    const grid = new SpatialGrid<string>();
    const interest = new InterestSet<string>({ enterRadius: 100, exitRadius: 125, maxEntities: 2 });
    grid.insert('near', 10, 0, 0);
    grid.insert('edge', 90, 0, 0);
    expect(interest.update(grid, origin).entered).toEqual(['near', 'edge']);
    grid.insert('new', 80, 0, 0); // nearer than 'edge', but not by 100/125
    expect(interest.update(grid, origin)).toEqual({ entered: [], exited: [] });
    grid.move('new', 70, 0, 0); // 70 < 90 * 0.8 = 72: displaces 'edge'
    expect(interest.update(grid, origin)).toEqual({ entered: ['new'], exited: ['edge'] });
    expect(sorted([...interest.members()] as never)).toEqual(['near', 'new']);
  });

  it('setRadius changes the radii; remove and clear drop members', () => {
    const grid = new SpatialGrid<number>();
    const interest = new InterestSet<number>({ enterRadius: 10 });
    grid.insert(1, 30, 0, 0);
    grid.insert(2, 5, 0, 0);
    expect(interest.update(grid, origin).entered).toEqual([2]);
    interest.setRadius(40);
    expect(interest.exitRadius).toBeCloseTo(46, 10);
    expect(interest.update(grid, origin).entered).toEqual([1]);
    interest.setRadius(20, 20);
    expect(interest.update(grid, origin).exited).toEqual([1]);
    expect(interest.remove(2)).toBe(true);
    expect(interest.remove(2)).toBe(false);
    expect(interest.update(grid, origin).entered).toEqual([2]); // a removed member re-enters
    expect(interest.clear()).toEqual([2]);
    expect(interest.size).toBe(0);
  });

  it('validates its options', () => {
    expect(new InterestSet().enterRadius).toBe(interestSetDefaults.enterRadius);
    expect(new InterestSet().maxEntities).toBe(256);
    expect(() => new InterestSet({ enterRadius: 10, exitRadius: 9 })).toThrow(MmoError);
    expect(() => new InterestSet({ enterRadius: -1 })).toThrow(MmoError);
    expect(() => new InterestSet({ maxEntities: 0 })).toThrow(MmoError);
    expect(() => new InterestSet({ maxEntities: 1.5 })).toThrow(MmoError);
    expect(() => new InterestSet().setRadius(Number.NaN)).toThrow(MmoError);
    const zero = new InterestSet<number>({ enterRadius: 0, maxEntities: 1 });
    const grid = new SpatialGrid<number>();
    grid.insert(1, 0, 0, 0);
    grid.insert(2, 0, 0, 0);
    expect(zero.update(grid, origin).entered).toHaveLength(1);
  });

  it('follows the enter/exit rule exactly under random motion (model check)', () => {
    const step = fc.array(
      fc.record({
        id: fc.integer({ min: 1, max: 30 }),
        action: fc.constantFrom('move', 'move', 'move', 'spawn', 'despawn'),
        x: fc.double({ min: -150, max: 150, noNaN: true }),
        z: fc.double({ min: -150, max: 150, noNaN: true }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(step, fc.double({ min: -20, max: 20, noNaN: true })), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 3, max: 40 }),
        (ticks, maxEntities) => {
          const grid = new SpatialGrid<number>({ cellSize: 32 });
          const interest = new InterestSet<number>({ enterRadius: 80, exitRadius: 100, maxEntities });
          const model = new Set<number>();
          const pos = new Map<number, { x: number; y: number; z: number }>();
          grid.insert(0, 0, 0, 0);
          for (const [moves, observerX] of ticks) {
            for (const m of moves) {
              if (m.action === 'despawn') {
                grid.remove(m.id);
                pos.delete(m.id);
              } else if (pos.has(m.id)) {
                grid.move(m.id, m.x, 0, m.z);
                pos.set(m.id, { x: m.x, y: 0, z: m.z });
              } else {
                grid.insert(m.id, m.x, 0, m.z);
                pos.set(m.id, { x: m.x, y: 0, z: m.z });
              }
            }
            const observer = { x: observerX, y: 0, z: 0 };
            grid.move(0, observer.x, 0, 0);
            const before = new Set(interest.members());
            const { entered, exited } = interest.update(grid, observer, 0);
            const after = new Set(interest.members());
            // The diff is exactly the change of membership.
            expect(sorted(entered)).toEqual(sorted([...after].filter((id) => !before.has(id))));
            expect(sorted(exited)).toEqual(sorted([...before].filter((id) => !after.has(id))));
            // Squared, computed as the grid does, so boundary cases agree to the last bit.
            const distSq = (id: number) => {
              const p = pos.get(id);
              if (p === undefined) return Number.POSITIVE_INFINITY;
              const dx = p.x - observer.x;
              return dx * dx + 0 * 0 + p.z * p.z;
            };
            // Without the cap the rule is: stay while within exit, join when within enter.
            const wanted = [...pos.keys()].filter((id) => (model.has(id) && distSq(id) <= 100 * 100) || distSq(id) <= 80 * 80);
            expect(after.size).toBeLessThanOrEqual(maxEntities);
            for (const id of after) expect(distSq(id)).toBeLessThanOrEqual(100 * 100);
            if (wanted.length <= maxEntities) expect(sorted([...after])).toEqual(sorted(wanted));
            else expect(after.size).toBe(maxEntities);
            model.clear();
            for (const id of after) model.add(id);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('InterestSet against the previous implementation (reference-interest.ts)', () => {
  const IDS = 150;
  const coordinate = fc.oneof(
    fc.integer({ min: -24, max: 24 }).map((k) => k * 5),
    fc.double({ min: -130, max: 130, noNaN: true }),
    fc.double({ min: -30, max: 30, noNaN: true }),
  );
  /** A tick: world changes and set calls, then an update. */
  const tick = fc.record({
    ops: fc.array(
      fc.record({
        kind: fc.constantFrom('move', 'move', 'move', 'move', 'spawn', 'despawn', 'respawn', 'forget', 'radius', 'clear'),
        id: fc.integer({ min: 0, max: IDS }),
        // On a 5-unit lattice (many equal distances, so tie order counts), anywhere, or in a crowd
        // (sets of more than 64 members find ids through a Map).
        x: coordinate,
        z: coordinate,
      }),
      { minLength: 5, maxLength: 40 },
    ),
    observerX: fc.integer({ min: -20, max: 20 }).map((k) => k * 2.5),
    // 'grid' updates from the grid, 'source' through a plain InterestSource, 'into' with updateInto.
    how: fc.constantFrom('grid', 'grid', 'into', 'source'),
  });

  it('update and updateInto give the same enters and exits, in the same order, as before', () => {
    fc.assert(
      fc.property(
        fc.array(tick, { minLength: 10, maxLength: 40 }),
        fc.constantFrom(8, 32, 64),
        fc.integer({ min: 2, max: 160 }),
        fc.boolean(),
        (ticks, cellSize, maxEntities, objectIds) => {
          // Ids as objects (like ZoneEntity) or numbers; 0 is the observer.
          const objects = Array.from({ length: IDS + 1 }, (_, n) => ({ n }));
          const idOf = (n: number): unknown => (objectIds ? objects[n] : n);
          const grid = new SpatialGrid<unknown>({ cellSize });
          const reference = new ReferenceGrid<unknown>({ cellSize });
          const options = { enterRadius: 60, exitRadius: 75, maxEntities };
          const interest = new InterestSet<unknown>(options);
          const expected = new ReferenceInterestSet<unknown>(options);
          const source = { forEachInRadius: grid.forEachInRadius.bind(grid) };
          const entered: unknown[] = ['stale'];
          const exited: unknown[] = ['stale'];
          const self = idOf(0);
          grid.insert(self, 0, 0, 0);
          reference.insert(self, 0, 0, 0);
          for (const t of ticks) {
            for (const o of t.ops) {
              const id = idOf(o.id);
              const inGrid = reference.has(id);
              if (o.kind === 'move' && inGrid) {
                grid.move(id, o.x, 0, o.z);
                reference.move(id, o.x, 0, o.z);
              } else if ((o.kind === 'spawn' || o.kind === 'move') && !inGrid) {
                grid.insert(id, o.x, 0, o.z);
                reference.insert(id, o.x, 0, o.z);
              } else if (o.kind === 'despawn') {
                grid.remove(id);
                reference.remove(id);
              } else if (o.kind === 'respawn' && inGrid) {
                // Out and back in at once: a new slot, and its old one may go to the next spawn.
                grid.remove(id);
                reference.remove(id);
                grid.insert(id, o.x, 0, o.z);
                reference.insert(id, o.x, 0, o.z);
              } else if (o.kind === 'forget') {
                expect(interest.remove(id)).toBe(expected.remove(id));
              } else if (o.kind === 'radius') {
                const enter = 20 + Math.abs(o.x) / 2;
                interest.setRadius(enter, enter * 1.25);
                expected.setRadius(enter, enter * 1.25);
              } else if (o.kind === 'clear' && o.id % 4 === 0) {
                expect(interest.clear()).toEqual(expected.clear());
              }
            }
            const observer = { x: t.observerX, y: 0, z: 0 };
            if (reference.has(self)) {
              grid.move(self, observer.x, 0, 0);
              reference.move(self, observer.x, 0, 0);
            }
            const want = expected.update(reference, observer, self);
            if (t.how === 'into') {
              interest.updateInto(grid, observer, self, entered, exited);
              expect({ entered, exited }).toEqual(want);
            } else {
              expect(interest.update(t.how === 'grid' ? grid : source, observer, self)).toEqual(want);
            }
            expect([...interest.members()]).toEqual([...expected.members()]);
            expect(interest.size).toBe(expected.size);
            for (let n = 0; n <= IDS; n++) {
              expect(interest.has(idOf(n))).toBe(expected.has(idOf(n)));
              expect(interest.distanceSq(idOf(n))).toBe(expected.distanceSq(idOf(n)));
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('matches it in a walking crowd of 100+ members, asked by id now and then (the id Map is built, kept, dropped)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
    const grid = new SpatialGrid<object>({ cellSize: 16 });
    const reference = new ReferenceGrid<object>({ cellSize: 16 });
    const walkers = Array.from({ length: 400 }, () => ({ x: (random() - 0.5) * 160, z: (random() - 0.5) * 160, heading: random() * 7 }));
    for (const w of walkers) {
      grid.insert(w, w.x, 0, w.z);
      reference.insert(w, w.x, 0, w.z);
    }
    const observers = walkers.slice(0, 4);
    const sets = observers.map((_, i) => new InterestSet<object>({ enterRadius: 40 + 10 * i, maxEntities: 60 + 40 * i }));
    const expected = observers.map((_, i) => new ReferenceInterestSet<object>({ enterRadius: 40 + 10 * i, maxEntities: 60 + 40 * i }));
    let biggest = 0;
    for (let t = 0; t < 300; t++) {
      for (const w of walkers) {
        w.heading += (random() - 0.5) * 0.5;
        w.x = Math.max(-80, Math.min(80, w.x + Math.cos(w.heading) * 2));
        w.z = Math.max(-80, Math.min(80, w.z + Math.sin(w.heading) * 2));
        if (!reference.has(w)) continue;
        grid.move(w, w.x, 0, w.z);
        reference.move(w, w.x, 0, w.z);
      }
      // Now and then one leaves and another is dropped from a view by hand.
      const gone = walkers[10 + (t % 390)] as (typeof walkers)[number];
      if (t % 7 === 0 && reference.has(gone)) {
        grid.remove(gone);
        reference.remove(gone);
      } else if (t % 7 === 3 && !reference.has(gone)) {
        grid.insert(gone, gone.x, 0, gone.z);
        reference.insert(gone, gone.x, 0, gone.z);
      }
      observers.forEach((o, i) => {
        const set = sets[i] as InterestSet<object>;
        const want = expected[i] as ReferenceInterestSet<object>;
        if (t % 5 === i) expect(set.remove(gone)).toBe(want.remove(gone));
        expect(set.update(grid, { x: o.x, y: 0, z: o.z }, o)).toEqual(want.update(reference, { x: o.x, y: 0, z: o.z }, o));
        expect([...set.members()]).toEqual([...want.members()]);
        if (t % 10 === 0) for (const w of walkers) expect(set.distanceSq(w)).toBe(want.distanceSq(w));
        biggest = Math.max(biggest, set.size);
      });
    }
    expect(biggest).toBeGreaterThan(100);
  });
});
