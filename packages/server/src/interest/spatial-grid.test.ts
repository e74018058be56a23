import { MmoError } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceGrid } from './reference-interest.js';
import { SpatialGrid } from './spatial-grid.js';

type P = { x: number; y: number; z: number };

function bruteForce(world: Map<number, P>, q: P, r: number): number[] {
  const ids: number[] = [];
  for (const [id, p] of world) {
    const dx = p.x - q.x;
    const dy = p.y - q.y;
    const dz = p.z - q.z;
    if (dx * dx + dy * dy + dz * dz <= r * r) ids.push(id);
  }
  return ids.sort((a, b) => a - b);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('SpatialGrid', () => {
  it('inserts, moves, removes and answers radius queries', () => {
    const grid = new SpatialGrid<string>({ cellSize: 10 });
    grid.insert('a', 0, 0, 0);
    grid.insert('b', 5, 0, 0);
    grid.insert('c', -25, 3, 0);
    expect(grid.count).toBe(3);
    expect(grid.has('b')).toBe(true);
    expect(grid.position('c')).toEqual({ x: -25, y: 3, z: 0 });
    expect(grid.queryRadius(0, 0, 0, 5, []).sort()).toEqual(['a', 'b']); // inclusive radius
    expect(grid.queryRadius(0, 0, 0, 4.999, [])).toEqual(['a']);
    grid.move('c', 1, 1, 1);
    expect(grid.queryRadius(0, 0, 0, 2, []).sort()).toEqual(['a', 'c']);
    expect(grid.remove('a')).toBe(true);
    expect(grid.remove('a')).toBe(false);
    expect(grid.has('a')).toBe(false);
    expect(grid.position('a')).toBeUndefined();
    expect(grid.queryRadius(0, 0, 0, 100, []).sort()).toEqual(['b', 'c']);
    grid.clear();
    expect(grid.count).toBe(0);
    expect(grid.cellCount).toBe(0);
  });

  it('reuses the out array (emptied first) and reports squared distances', () => {
    const grid = new SpatialGrid<number>();
    grid.insert(1, 3, 4, 0);
    const out = [99, 98];
    expect(grid.queryRadius(0, 0, 0, 5, out)).toBe(out);
    expect(out).toEqual([1]);
    const seen: [number, number][] = [];
    grid.forEachInRadius(0, 0, 0, 10, (id, d) => seen.push([id, d]));
    expect(seen).toEqual([[1, 25]]);
  });

  it('only touches cells when a move crosses a cell edge, and frees empty cells', () => {
    const grid = new SpatialGrid<number>({ cellSize: 32 });
    grid.insert(1, 1, 1, 1);
    expect(grid.cellCount).toBe(1);
    grid.move(1, 31, 31, 31);
    expect(grid.cellCount).toBe(1);
    grid.move(1, 32, 31, 31);
    expect(grid.cellCount).toBe(1);
    grid.insert(2, 32, 31, 31);
    grid.move(1, -1, 0, 0);
    expect(grid.cellCount).toBe(2);
    grid.remove(2);
    expect(grid.cellCount).toBe(1);
  });

  it('rejects duplicates, unknown ids, non-finite coordinates and bad options', () => {
    const grid = new SpatialGrid<number>();
    grid.insert(1, 0, 0, 0);
    expect(() => grid.insert(1, 0, 0, 0)).toThrow(MmoError);
    expect(() => grid.move(2, 0, 0, 0)).toThrow(MmoError);
    expect(() => grid.insert(3, Number.NaN, 0, 0)).toThrow(MmoError);
    expect(() => grid.move(1, 0, Number.POSITIVE_INFINITY, 0)).toThrow(MmoError);
    expect(() => grid.queryRadius(0, 0, 0, -1, [])).toThrow(MmoError);
    expect(() => new SpatialGrid({ cellSize: 0 })).toThrow(MmoError);
    expect(grid.position(1)).toEqual({ x: 0, y: 0, z: 0 });
  });

  it('stays exact when far-apart cells share a bucket (1024 cells apart) and for huge coordinates', () => {
    const grid = new SpatialGrid<number>({ cellSize: 1 });
    grid.insert(1, 5, 0, 0);
    grid.insert(2, 5 + 1024, 0, 0); // same bucket as entity 1
    grid.insert(3, 5, 1024 * 7, -1024 * 3); // same bucket again
    grid.insert(4, 1e12, -1e12, 1e15);
    for (let i = 10; i < 2000; i++) grid.insert(i, 100 + (i % 40), 0, Math.floor(i / 40)); // keep queries on the cell path
    expect(grid.cellCount).toBeLessThan(grid.count);
    expect(sorted(grid.queryRadius(5, 0, 0, 2, []))).toEqual([1]);
    expect(sorted(grid.queryRadius(5 + 1024, 0, 0, 2, []))).toEqual([2]);
    expect(sorted(grid.queryRadius(5, 1024 * 7, -1024 * 3, 0, []))).toEqual([3]);
    expect(grid.queryRadius(1e12, -1e12, 1e15, 1, [])).toEqual([4]);
    grid.move(2, 5.5, 0, 0); // moves into another cell of the same bucket
    expect(sorted(grid.queryRadius(5, 0, 0, 2, []))).toEqual([1, 2]);
    grid.remove(1);
    expect(sorted(grid.queryRadius(5, 0, 0, 2, []))).toEqual([2]);
    // A box 2000 cells wide would visit buckets twice: it scans entities instead, once each.
    const wide = grid.queryRadius(0, 0, 0, 1000, []);
    expect(new Set(wide).size).toBe(wide.length);
    expect(wide.length).toBe(grid.count - 2); // all but entities 3 and 4
  });

  it('never reports an entity twice when a query box spans more than 1024 cells on one axis', () => {
    const grid = new SpatialGrid<number>({ cellSize: 1 });
    for (let x = 0; x < 3000; x++) grid.insert(x, x + 0.5, 0.5, 0.5); // a line: 1 layer in y and z
    const ids = grid.queryRadius(700, 0.5, 0.5, 600, []); // box of ~1200 x 1 x 1 cells < 3000 entities
    expect(ids.length).toBe(new Set(ids).size);
    expect(sorted(ids)).toEqual([...Array(1200).keys()].map((i) => i + 100));
  });

  it('matches a brute-force oracle under random inserts, moves, removes and queries', () => {
    // Coordinates from a small lattice of cell edges (and near misses) plus arbitrary doubles, so
    // points land exactly on cell boundaries and on the query sphere.
    const coord = fc.oneof(
      fc.integer({ min: -8, max: 8 }).map((k) => k * 8),
      fc.double({ min: -200, max: 200, noNaN: true }),
      fc.integer({ min: -40, max: 40 }).map((k) => k * 8 + 1e-9),
    );
    const point = fc.record({ x: coord, y: coord, z: coord });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), id: fc.integer({ min: 0, max: 40 }), p: point }),
      fc.record({ kind: fc.constant('move' as const), id: fc.integer({ min: 0, max: 40 }), p: point }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('query' as const), p: point, r: fc.oneof(fc.double({ min: 0, max: 120, noNaN: true }), fc.constant(8)) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(1, 8, 13.5, 64), fc.boolean(), fc.array(op, { maxLength: 300 }), (cellSize, padded, ops) => {
        const grid = new SpatialGrid<number>({ cellSize });
        const world = new Map<number, P>();
        // Far-away filler (never in range of a query, so left out of the oracle) makes the grid
        // probe cells instead of falling back to a linear scan.
        const filler = padded ? 2000 : 0;
        for (let i = 0; i < filler; i++) grid.insert(1000 + i, i * 100, 1e5, -i);
        const out: number[] = [];
        for (const o of ops) {
          if (o.kind === 'insert') {
            if (world.has(o.id)) continue;
            grid.insert(o.id, o.p.x, o.p.y, o.p.z);
            world.set(o.id, o.p);
          } else if (o.kind === 'move') {
            if (!world.has(o.id)) continue;
            grid.move(o.id, o.p.x, o.p.y, o.p.z);
            world.set(o.id, o.p);
          } else if (o.kind === 'remove') {
            expect(grid.remove(o.id)).toBe(world.delete(o.id));
          } else {
            expect(sorted(grid.queryRadius(o.p.x, o.p.y, o.p.z, o.r, out))).toEqual(bruteForce(world, o.p, o.r));
          }
          expect(grid.count).toBe(world.size + filler);
        }
        for (const [id, p] of world) expect(grid.position(id)).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the oracle on dense worlds where queries take the cell path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.double({ min: -500, max: 500, noNaN: true }), y: fc.double({ min: -50, max: 50, noNaN: true }), z: fc.double({ min: -500, max: 500, noNaN: true }) }), { minLength: 200, maxLength: 600 }),
        fc.array(fc.record({ x: fc.double({ min: -600, max: 600, noNaN: true }), y: fc.double({ min: -60, max: 60, noNaN: true }), z: fc.double({ min: -600, max: 600, noNaN: true }), r: fc.double({ min: 0, max: 64, noNaN: true }) }), { minLength: 1, maxLength: 20 }),
        (points, queries) => {
          const grid = new SpatialGrid<number>({ cellSize: 32 });
          const world = new Map<number, P>();
          points.forEach((p, id) => {
            grid.insert(id, p.x, p.y, p.z);
            world.set(id, p);
          });
          for (const q of queries) expect(sorted(grid.queryRadius(q.x, q.y, q.z, q.r, []))).toEqual(bruteForce(world, q, q.r));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('SpatialGrid against the previous implementation (reference-interest.ts)', () => {
  /** Every op of a random run; coordinates in cells of the run's cell size, some 1024 cells apart. */
  const run = (cellSize: number) => {
    const coord = fc.oneof(
      fc.integer({ min: -8, max: 8 }).map((k) => k * cellSize),
      fc.double({ min: -25, max: 25, noNaN: true }).map((c) => c * cellSize),
      fc.integer({ min: -2, max: 2 }).map((k) => (k * 1024 + 0.5) * cellSize), // same bucket, far apart
      fc.constant(1e9),
    );
    const point = fc.record({ x: coord, y: fc.oneof(fc.constant(0), coord), z: coord });
    const id = fc.integer({ min: 0, max: 30 });
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('insert' as const), id, p: point }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('move' as const), id, p: point, bySlot: fc.boolean() }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('remove' as const), id }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('clear' as const) }), weight: 1 },
      {
        arbitrary: fc.record({
          kind: fc.constant('query' as const),
          p: point,
          r: fc.oneof(
            { arbitrary: fc.double({ min: 0, max: 3, noNaN: true }).map((c) => c * cellSize), weight: 4 },
            { arbitrary: fc.double({ min: 0, max: 30, noNaN: true }).map((c) => c * cellSize), weight: 1 },
            { arbitrary: fc.constant(cellSize), weight: 1 },
          ),
          newShare: fc.double({ min: 0, max: 1, noNaN: true }),
          known: fc.array(fc.integer({ min: -1, max: 34 }), { maxLength: 12 }),
          skip: fc.integer({ min: -1, max: 34 }),
        }),
        weight: 4,
      },
    );
    return fc.array(op, { minLength: 60, maxLength: 200 });
  };

  it('visits the same entities in the same order, through every query, slot and epoch method', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 8, 13.5, 64).chain((cellSize) => fc.tuple(fc.constant(cellSize), fc.constantFrom('none', 'flat', 'solid'), run(cellSize))),
        ([cellSize, filler, ops]) => {
          const grid = new SpatialGrid<number>({ cellSize });
          const reference = new ReferenceGrid<number>({ cellSize });
          const fill = () => {
            // Filler among the entities keeps small queries on the cell path (not the linear scan),
            // in a flat world or a solid one.
            if (filler === 'none') return;
            let seed = 1;
            const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
            for (let i = 0; i < 600; i++) {
              const x = (random() * 40 - 20) * cellSize;
              const y = filler === 'flat' ? 0 : (random() * 6 - 3) * cellSize;
              const z = (random() * 40 - 20) * cellSize;
              grid.insert(1000 + i, x, y, z);
              reference.insert(1000 + i, x, y, z);
            }
          };
          fill();
          const slots: number[] = [];
          const distances: number[] = [];
          const newSlots: number[] = [];
          const newDistances: number[] = [];
          for (const o of ops) {
            const epoch = grid.slotEpoch;
            if (o.kind === 'insert') {
              if (reference.has(o.id)) continue;
              grid.insert(o.id, o.p.x, o.p.y, o.p.z);
              reference.insert(o.id, o.p.x, o.p.y, o.p.z);
              expect(grid.slotEpoch).toBe(epoch);
            } else if (o.kind === 'move') {
              if (!reference.has(o.id)) continue;
              if (o.bySlot) grid.moveSlot(grid.slotOf(o.id), o.p.x, o.p.y, o.p.z);
              else grid.move(o.id, o.p.x, o.p.y, o.p.z);
              reference.move(o.id, o.p.x, o.p.y, o.p.z);
              expect(grid.slotEpoch).toBe(epoch);
            } else if (o.kind === 'remove') {
              const slot = grid.slotOf(o.id);
              expect(grid.remove(o.id)).toBe(reference.remove(o.id));
              if (slot >= 0) {
                expect(grid.slotEpoch).not.toBe(epoch);
                expect(grid.idAt(slot)).toBeUndefined();
                expect(() => grid.moveSlot(slot, 0, 0, 0)).toThrow(MmoError);
              }
            } else if (o.kind === 'clear') {
              grid.clear();
              reference.clear();
              expect(grid.slotEpoch).not.toBe(epoch);
              fill();
            } else {
              const { x, y, z } = o.p;
              const visits: [number, number][] = [];
              reference.forEachInRadius(x, y, z, o.r, (id, d) => visits.push([id, d]));
              const seen: [number, number][] = [];
              grid.forEachInRadius(x, y, z, o.r, (id, d) => seen.push([id, d]));
              expect(seen).toEqual(visits);
              expect(grid.queryRadius(x, y, z, o.r, [])).toEqual(visits.map(([id]) => id));
              const hits = grid.querySlots(x, y, z, o.r, slots, distances);
              expect(slots.slice(0, hits).map((s) => grid.idAt(s))).toEqual(visits.map(([id]) => id));
              expect(distances.slice(0, hits)).toEqual(visits.map(([, d]) => d));
              // Against known slots: the distinct slots of the known ids (absent ids give -1).
              const knownIds = [...new Set(o.known)];
              const known = Int32Array.from(knownIds, (id) => grid.slotOf(id));
              const knownDistances = new Float64Array(known.length).fill(7);
              const skipSlot = grid.slotOf(o.skip);
              const newRadius = o.r * o.newShare;
              const found = grid.querySlotsAgainst(x, y, z, o.r, known, known.length, knownDistances, newRadius, skipSlot, newSlots, newDistances);
              const visited = new Map(visits);
              expect([...knownDistances]).toEqual(knownIds.map((id) => (grid.has(id) ? visited.get(id) ?? -1 : -1)));
              const expectedNew = visits.filter(([id, d]) => !knownIds.includes(id) && id !== o.skip && d <= newRadius * newRadius);
              expect(newSlots.slice(0, found).map((s) => grid.idAt(s))).toEqual(expectedNew.map(([id]) => id));
              expect(newDistances.slice(0, found)).toEqual(expectedNew.map(([, d]) => d));
            }
            expect(grid.count).toBe(reference.count);
            expect(grid.cellCount).toBe(reference.cellCount);
          }
          const used = new Set<number>();
          for (let id = 0; id <= 30; id++) {
            expect(grid.has(id)).toBe(reference.has(id));
            expect(grid.position(id)).toEqual(reference.position(id));
            const slot = grid.slotOf(id);
            if (!reference.has(id)) {
              expect(slot).toBe(-1);
              continue;
            }
            expect(slot).toBeGreaterThanOrEqual(0);
            expect(slot).toBeLessThan(grid.slotCapacity);
            expect(grid.idAt(slot)).toBe(id);
            expect(used.has(slot)).toBe(false);
            used.add(slot);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers queries made from inside a forEachInRadius visit', () => {
    const grid = new SpatialGrid<number>({ cellSize: 8 });
    for (let i = 0; i < 50; i++) grid.insert(i, (i % 10) * 3, 0, Math.floor(i / 10) * 3);
    const outer: number[] = [];
    const slots: number[] = [];
    const distances: number[] = [];
    grid.forEachInRadius(0, 0, 0, 10, (id) => {
      outer.push(id);
      const p = grid.position(id) as { x: number; y: number; z: number };
      expect(sorted(grid.queryRadius(p.x, p.y, p.z, 1, []))).toEqual([id]);
      expect(grid.querySlots(p.x, p.y, p.z, 0, slots, distances)).toBe(1);
      grid.forEachInRadius(p.x, p.y, p.z, 0, (inner) => expect(inner).toBe(id));
    });
    expect(sorted(outer)).toEqual(sorted(grid.queryRadius(0, 0, 0, 10, [])));
  });

  it('rejects a free slot in moveSlot and a newRadius beyond the radius', () => {
    const grid = new SpatialGrid<number>();
    grid.insert(1, 0, 0, 0);
    expect(() => grid.moveSlot(5, 0, 0, 0)).toThrow(MmoError);
    expect(() => grid.moveSlot(-1, 0, 0, 0)).toThrow(MmoError);
    expect(() => grid.moveSlot(grid.slotOf(1), Number.NaN, 0, 0)).toThrow(MmoError);
    const none = new Int32Array(0);
    const noDistances = new Float64Array(0);
    expect(() => grid.querySlotsAgainst(0, 0, 0, 10, none, 0, noDistances, 11, -1, [], [])).toThrow(MmoError);
    expect(grid.querySlotsAgainst(0, 0, 0, 10, none, 0, noDistances, 10, -1, [], [])).toBe(1);
  });
});
