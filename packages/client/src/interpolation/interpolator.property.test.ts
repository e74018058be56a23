import fc from 'fast-check';
import { quaternionAngleRad } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { createInterpolator } from './interpolator.js';
import type { InterpolationPositionMode } from './interpolation-options.js';
import type { InterpolationSample } from './snapshot-buffer.js';

const coordinate = fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true });
const vector = fc.record({ x: coordinate, y: coordinate, z: coordinate });
const unitComponent = fc.double({ min: -1, max: 1, noNaN: true });
const rotation = fc
  .record({ x: unitComponent, y: unitComponent, z: unitComponent, w: unitComponent })
  .filter((q) => Math.hypot(q.x, q.y, q.z, q.w) > 0.1);

/** 1..40 samples at strictly increasing server times (gaps of 1..200 ms), with or without velocities. */
const stream = fc
  .tuple(
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.array(
      fc.record({ gapMs: fc.double({ min: 1, max: 200, noNaN: true }), position: vector, rotation, velocity: fc.option(vector, { nil: undefined }) }),
      { minLength: 1, maxLength: 40 },
    ),
  )
  .map(([startMs, steps]) => {
    let serverTimeMs = startMs;
    return steps.map(({ gapMs, position, rotation: q, velocity }): InterpolationSample => {
      serverTimeMs += gapMs;
      return velocity === undefined ? { serverTimeMs, position, rotation: q } : { serverTimeMs, position, rotation: q, velocity };
    });
  });
const mode = fc.constantFrom<InterpolationPositionMode>('linear', 'hermite');

describe('createInterpolator (properties)', () => {
  it('returns each sample exactly at its own time, in either position mode', () => {
    fc.assert(
      fc.property(stream, mode, (samples, positionMode) => {
        const interpolator = createInterpolator({ positionMode, maxSamplesPerEntity: samples.length + 1 });
        for (const s of samples) interpolator.push(1, s);
        // Ascending render times, as a game loop produces them (sampling prunes what it passed).
        for (const s of samples) {
          const state = interpolator.sampleEntity(1, s.serverTimeMs);
          expect(state?.status).toBe('interpolated');
          expect(state?.position).toEqual(s.position);
          expect(quaternionAngleRad(state?.rotation ?? s.rotation, s.rotation)).toBeLessThan(1e-6);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never leaves the convex hull of the samples in linear mode (before or between samples)', () => {
    fc.assert(
      fc.property(
        stream,
        fc.array(fc.double({ min: -0.1, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (samples, fractions) => {
          const first = (samples[0] as InterpolationSample).serverTimeMs;
          const last = (samples[samples.length - 1] as InterpolationSample).serverTimeMs;
          const renderTimes = fractions.map((f) => Math.min(first + f * (last - first), last)).sort((a, b) => a - b);
          const interpolator = createInterpolator({ maxSamplesPerEntity: samples.length + 1 });
          for (const s of samples) interpolator.push(1, s);
          for (const t of renderTimes) {
            const state = interpolator.sampleEntity(1, t);
            expect(state?.status === 'interpolated' || state?.status === 'held').toBe(true);
            // Linear output lies on the segment between the two samples around t, so inside the
            // segment's bounding box, which is inside the bounding box of all samples.
            const lower = [...samples].reverse().find((s) => s.serverTimeMs <= t) ?? (samples[0] as InterpolationSample);
            const upper = samples.find((s) => s.serverTimeMs >= t) ?? lower;
            for (const axis of ['x', 'y', 'z'] as const) {
              const value = state?.position[axis] ?? Number.NaN;
              expect(value).toBeGreaterThanOrEqual(Math.min(lower.position[axis], upper.position[axis]));
              expect(value).toBeLessThanOrEqual(Math.max(lower.position[axis], upper.position[axis]));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same output whatever order the samples arrive in (oldest first), duplicates included', () => {
    fc.assert(
      fc.property(
        stream.chain((samples) =>
          fc.tuple(
            fc.constant(samples),
            fc.shuffledSubarray(samples.slice(1), { minLength: samples.length - 1, maxLength: samples.length - 1 }),
            fc.array(fc.nat({ max: samples.length - 1 }), { maxLength: 10 }),
            fc.double({ min: 0, max: 1.2, noNaN: true }),
          ),
        ),
        mode,
        ([samples, shuffled, duplicates, fraction], positionMode) => {
          const options = { positionMode, maxSamplesPerEntity: samples.length + 1 };
          const ordered = createInterpolator(options);
          const arrivals = createInterpolator(options);
          for (const s of samples) ordered.push(1, s);
          arrivals.push(1, samples[0] as InterpolationSample);
          for (const s of shuffled) arrivals.push(1, s);
          for (const d of duplicates) expect(arrivals.push(1, samples[d] as InterpolationSample)).toBe('duplicate');
          const first = (samples[0] as InterpolationSample).serverTimeMs;
          const last = (samples[samples.length - 1] as InterpolationSample).serverTimeMs;
          const t = first + fraction * (last - first + 100);
          expect(arrivals.sampleEntity(1, t)).toEqual(ordered.sampleEntity(1, t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps at most maxSamplesPerEntity samples per entity, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10_000 })), { maxLength: 200 }),
        (maxSamplesPerEntity, pushes) => {
          const interpolator = createInterpolator({ maxSamplesPerEntity });
          for (const [entityId, serverTimeMs] of pushes) {
            interpolator.push(entityId, { serverTimeMs, position: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } });
            expect(interpolator.bufferedSamples(entityId)).toBeLessThanOrEqual(maxSamplesPerEntity);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
