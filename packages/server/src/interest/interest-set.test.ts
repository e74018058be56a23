import { MmoError } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InterestSet, interestSetDefaults } from './interest-set.js';
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
