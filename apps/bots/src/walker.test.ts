import { describe, expect, it } from 'vitest';
import { Steering, insideArea, walkArea, walkModel } from './walker.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('walker', () => {
  it('walks at its speed and stays inside the area, bouncing off the edges', () => {
    const area = walkArea(5);
    const model = walkModel(() => area);
    for (let seed = 1; seed <= 20; seed++) {
      const steering = new Steering(5, lcg(seed));
      let p = { x: 0, y: 0, z: 0 };
      for (let i = 0; i < 400; i++) {
        const input = steering.next(p, 50, area);
        expect(Math.hypot(input.vx, input.vz)).toBeCloseTo(5, 9);
        const q = model.applyInput(p, input, 50);
        expect(insideArea(q, area)).toBe(true);
        expect(model.distance(p, q)).toBeLessThanOrEqual(0.25 + 1e-9);
        p = q;
      }
    }
  });

  it('intersects the square with the zone bounds, and centres on a spawn point', () => {
    expect(walkArea(50, { x: -10, y: -5, z: -4096 }, { x: 4096, y: 5, z: 20 })).toEqual({ min: { x: -10, y: 0, z: -50 }, max: { x: 50, y: 0, z: 20 } });
    expect(walkArea(50, { x: 100, y: 0, z: 100 }, { x: 200, y: 0, z: 200 })).toEqual({ min: { x: 100, y: 0, z: 100 }, max: { x: 200, y: 0, z: 200 } });
    expect(walkArea(10, undefined, undefined, { x: 500, y: 2, z: 0 })).toEqual({ min: { x: 490, y: 2, z: -10 }, max: { x: 510, y: 2, z: 10 } });
  });

  it('rotates to the heading about +y', () => {
    const steering = new Steering(1, () => 0); // heading 0: along +x
    const q = steering.rotation();
    expect(q.w).toBeCloseTo(1, 9);
    expect(q.y).toBeCloseTo(0, 9);
  });
});
