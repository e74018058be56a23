/**
 * The bounded, time-ordered snapshot history of one entity.
 */
import type { QuaternionLike, Vector3Like } from '@mmo/protocol';
import { normalizeQuaternion } from './blend.js';

/** One entity's state at one server time, as the game pushes it from a snapshot or delta. */
export interface InterpolationSample {
  /** Server time the state was valid at, in ms (the server clock `client.serverNow()` follows). */
  serverTimeMs: number;
  /** Position in world units. */
  position: Vector3Like;
  /** Orientation; need not be normalised (it is normalised when stored). */
  rotation: QuaternionLike;
  /** Velocity in world units per second; used by `'hermite'` and by extrapolation. */
  velocity?: Vector3Like;
}

/**
 * What `push` did with a sample:
 * - `appended`: newer than every buffered sample;
 * - `inserted`: arrived out of order, placed in time order between buffered samples;
 * - `duplicate`: a sample with the same `serverTimeMs` is buffered; the first one is kept;
 * - `too-old`: older than the oldest buffered sample (already pruned or evicted), dropped;
 * - `invalid`: a non-finite number or a zero rotation, dropped.
 */
export type InterpolationPushResult = 'appended' | 'inserted' | 'duplicate' | 'too-old' | 'invalid';

function isFiniteVector(v: Readonly<Vector3Like>): boolean {
  return Number.isFinite(v.x) && Number.isFinite(v.y) && Number.isFinite(v.z);
}

/**
 * A defensive copy of `sample` with its rotation normalised, or `undefined` when it cannot be
 * used. Copying lets callers reuse (pool) the objects they decode into.
 */
function copySample(sample: Readonly<InterpolationSample>): Readonly<InterpolationSample> | undefined {
  if (!Number.isFinite(sample.serverTimeMs) || !isFiniteVector(sample.position)) return undefined;
  const rotation = normalizeQuaternion(sample.rotation);
  if (rotation === undefined) return undefined;
  const copy: InterpolationSample = {
    serverTimeMs: sample.serverTimeMs,
    position: { x: sample.position.x, y: sample.position.y, z: sample.position.z },
    rotation,
  };
  if (sample.velocity !== undefined) {
    if (!isFiniteVector(sample.velocity)) return undefined;
    copy.velocity = { x: sample.velocity.x, y: sample.velocity.y, z: sample.velocity.z };
  }
  return copy;
}

/**
 * Samples of one entity in strictly increasing `serverTimeMs`, at most `capacity` of them (the
 * oldest is evicted). A plain array: at the default 32 entries, shifting beats ring-buffer index
 * arithmetic, and searches start from the newest end where the render time almost always is.
 */
export class SnapshotBuffer {
  private readonly items: Readonly<InterpolationSample>[] = [];

  /** @param capacity Samples kept, >= 1 (the interpolator checks its option). */
  constructor(readonly capacity: number) {}

  /** Samples buffered. */
  get size(): number {
    return this.items.length;
  }

  /** The sample at `index` (0 = oldest). */
  at(index: number): Readonly<InterpolationSample> | undefined {
    return this.items[index];
  }

  /** The newest sample. */
  get latest(): Readonly<InterpolationSample> | undefined {
    return this.items[this.items.length - 1];
  }

  /** The oldest sample. */
  get oldest(): Readonly<InterpolationSample> | undefined {
    return this.items[0];
  }

  /** A copy of the buffered samples, oldest first. */
  toArray(): Readonly<InterpolationSample>[] {
    return [...this.items];
  }

  /**
   * Adds a copy of `sample` (rotation normalised) in time order. Out-of-order samples newer than
   * the oldest buffered one are inserted where they belong; older ones, exact-time duplicates and
   * samples with non-finite numbers are dropped (see {@link InterpolationPushResult}). When the
   * buffer is over capacity the oldest sample is evicted.
   */
  push(input: Readonly<InterpolationSample>): InterpolationPushResult {
    const sample = copySample(input);
    if (sample === undefined) return 'invalid';
    const time = sample.serverTimeMs;
    const items = this.items;
    let index = items.length;
    while (index > 0 && (items[index - 1] as InterpolationSample).serverTimeMs > time) index--;
    if (index > 0 && (items[index - 1] as InterpolationSample).serverTimeMs === time) return 'duplicate';
    // Older than everything we hold: the render time has most likely passed it already, and
    // keeping it would evict a newer, more useful sample when the buffer is full.
    if (index === 0 && items.length > 0) return 'too-old';
    const appended = index === items.length;
    items.splice(index, 0, sample);
    if (items.length > this.capacity) items.shift();
    return appended ? 'appended' : 'inserted';
  }

  /** Index of the newest sample at or before `serverTimeMs`, or -1 when all are later. */
  indexAtOrBefore(serverTimeMs: number): number {
    let index = this.items.length - 1;
    while (index >= 0 && (this.items[index] as InterpolationSample).serverTimeMs > serverTimeMs) index--;
    return index;
  }

  /** Drops the `count` oldest samples. */
  dropOldest(count: number): void {
    if (count > 0) this.items.splice(0, count);
  }
}
