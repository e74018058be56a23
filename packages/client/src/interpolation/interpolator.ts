/**
 * Entity interpolation: remote entities are rendered a little in the past, between two snapshots
 * the client already has, instead of jumping to each snapshot as it arrives. See DESIGN.md "Client
 * data flow" (remote entities: interpolation buffer, render behind by ~2 ticks) and Valve's "Source
 * Multiplayer Networking", section "Entity interpolation".
 */
import type { QuaternionLike, Vector3Like } from '@mmo/protocol';
import { invalidArgumentError } from '../errors.js';
import { hermiteVector, hermiteVelocity, lerpVector, MS_PER_SECOND, slerpQuaternion } from './blend.js';
import {
  checkNonNegativeMs,
  resolveInterpolationOptions,
  type InterpolationOptions,
} from './interpolation-options.js';
import { SnapshotBuffer, type InterpolationPushResult, type InterpolationSample } from './snapshot-buffer.js';

/**
 * How an output was obtained:
 * - `interpolated`: the render time lies between two snapshots (or on one);
 * - `extrapolated`: the render time is past the newest snapshot by at most `maxExtrapolationMs`,
 *   and the entity was projected along its velocity;
 * - `held`: the entity is frozen, either before its first snapshot (it just entered view) or past
 *   the extrapolation bound (then `stale` is true).
 */
export type InterpolationStatus = 'interpolated' | 'extrapolated' | 'held';

/** One entity's state at a render time. Fresh objects: the caller may keep or mutate them. */
export interface InterpolatedState {
  /** The entity's id, as given to `push`. */
  entityId: number;
  /** Position in world units. */
  position: Vector3Like;
  /** Orientation, normalised. */
  rotation: QuaternionLike;
  /** Velocity at that point in world units per second (zero while held), for animation blending. */
  velocity: Vector3Like;
  /** How the state was obtained. */
  status: InterpolationStatus;
  /** True when snapshots are later than `maxExtrapolationMs`: the entity is held, not moving. */
  stale: boolean;
  /** How far past the newest snapshot the state was projected, in ms (0 unless extrapolated or stale). */
  extrapolatedMs: number;
  /** The server time the state is for, in ms. */
  renderServerTimeMs: number;
}

/** Snapshot buffers of many remote entities, sampled once per rendered frame. */
export interface Interpolator {
  /** The resolved options (frozen). */
  readonly options: Readonly<Required<InterpolationOptions>>;
  /** Current render delay behind the server clock, in ms (starts at `options.interpolationDelayMs`). */
  readonly interpolationDelayMs: number;
  /** Entities with at least one buffered snapshot. */
  readonly size: number;
  /**
   * Buffers a snapshot of `entityId` (copied; the caller may reuse the object). The first valid
   * sample of an unknown id creates the entity.
   */
  push(entityId: number, sample: Readonly<InterpolationSample>): InterpolationPushResult;
  /** Forgets an entity (it left view): no further output for it. False when it was not known. */
  remove(entityId: number): boolean;
  /** Forgets every entity. */
  clear(): void;
  /** True when `entityId` has buffered snapshots. */
  has(entityId: number): boolean;
  /** Ids of the known entities, in the order they first appeared. */
  entityIds(): number[];
  /** Snapshots buffered for `entityId` (0 when unknown), for debug overlays and tests. */
  bufferedSamples(entityId: number): number;
  /**
   * Changes the render delay, e.g. to adapt it to measured jitter.
   * @throws MmoError `INVALID_OPTIONS` unless a finite number >= 0.
   */
  setInterpolationDelayMs(delayMs: number): void;
  /** `nowServerTimeMs - interpolationDelayMs`: the render time for a server clock reading. */
  renderTimeAt(nowServerTimeMs: number): number;
  /**
   * Every entity's state at `renderServerTimeMs`. Snapshots older than the one just before the
   * render time (and the one before that, kept for extrapolation) are pruned, so render times are
   * expected not to go backwards by more than a snapshot interval.
   * @throws MmoError `INVALID_ARGUMENT` when the time is not finite.
   */
  sample(renderServerTimeMs: number): InterpolatedState[];
  /** {@link Interpolator.sample} at `renderTimeAt(nowServerTimeMs)`: pass `client.serverNow()`. */
  sampleAt(nowServerTimeMs: number): InterpolatedState[];
  /** One entity's state at `renderServerTimeMs` (pruning as `sample` does), or undefined when unknown. */
  sampleEntity(entityId: number, renderServerTimeMs: number): InterpolatedState | undefined;
}

function zero(): Vector3Like {
  return { x: 0, y: 0, z: 0 };
}

function copyVector(v: Readonly<Vector3Like>): Vector3Like {
  return { x: v.x, y: v.y, z: v.z };
}

function copyQuaternion(q: Readonly<QuaternionLike>): QuaternionLike {
  return { x: q.x, y: q.y, z: q.z, w: q.w };
}

/** Average velocity from `a` to `b`, in units per second (samples are strictly increasing in time). */
function segmentVelocity(a: Readonly<InterpolationSample>, b: Readonly<InterpolationSample>): Vector3Like {
  const seconds = (b.serverTimeMs - a.serverTimeMs) / MS_PER_SECOND;
  return {
    x: (b.position.x - a.position.x) / seconds,
    y: (b.position.y - a.position.y) / seconds,
    z: (b.position.z - a.position.z) / seconds,
  };
}

function checkTime(renderServerTimeMs: number): void {
  if (typeof renderServerTimeMs !== 'number' || !Number.isFinite(renderServerTimeMs)) {
    throw invalidArgumentError(`render server time must be a finite number of ms (got ${String(renderServerTimeMs)})`);
  }
}

/**
 * Creates an {@link Interpolator}.
 * @throws MmoError `INVALID_OPTIONS` naming the first bad option.
 * @example
 * const interpolator = createInterpolator({ interpolationDelayMs: interpolationDelayForTickRate(20) });
 * // From the game's snapshot/delta decoding: one push per entity state, one remove per despawn.
 * interpolator.push(entityId, { serverTimeMs, position, rotation, velocity });
 * interpolator.remove(leftViewId);
 * // Once per rendered frame:
 * for (const e of interpolator.sampleAt(client.serverNow())) scene.place(e.entityId, e.position, e.rotation);
 */
export function createInterpolator(options: InterpolationOptions = {}): Interpolator {
  const resolved = resolveInterpolationOptions(options);
  const hermite = resolved.positionMode === 'hermite';
  const buffers = new Map<number, SnapshotBuffer>();
  let delayMs = resolved.interpolationDelayMs;

  function evaluate(entityId: number, buffer: SnapshotBuffer, t: number): InterpolatedState {
    const index = buffer.indexAtOrBefore(t);
    const state = (
      position: Vector3Like,
      rotation: QuaternionLike,
      velocity: Vector3Like,
      status: InterpolationStatus,
      extrapolatedMs = 0,
      stale = false,
    ): InterpolatedState => ({ entityId, position, rotation, velocity, status, stale, extrapolatedMs, renderServerTimeMs: t });

    if (index < 0) {
      // Just entered view: nothing to interpolate from yet, show the first snapshot as it is.
      const first = buffer.oldest as InterpolationSample;
      return state(copyVector(first.position), copyQuaternion(first.rotation), zero(), 'held');
    }
    const lower = buffer.at(index) as InterpolationSample;
    const upper = buffer.at(index + 1);
    const previous = buffer.at(index - 1);
    pruneBefore(buffer, index);

    if (t === lower.serverTimeMs) {
      // On a snapshot: return it exactly, not a blend that rounds to within an ulp of it.
      const velocity =
        lower.velocity ??
        (upper !== undefined ? segmentVelocity(lower, upper) : previous !== undefined ? segmentVelocity(previous, lower) : zero());
      return state(copyVector(lower.position), copyQuaternion(lower.rotation), copyVector(velocity), 'interpolated');
    }

    if (upper !== undefined) {
      const durationMs = upper.serverTimeMs - lower.serverTimeMs;
      const s = (t - lower.serverTimeMs) / durationMs;
      const rotation = slerpQuaternion(lower.rotation, upper.rotation, s);
      if (lower.velocity !== undefined && upper.velocity !== undefined) {
        if (hermite) {
          const durationS = durationMs / MS_PER_SECOND;
          return state(
            hermiteVector(lower.position, lower.velocity, upper.position, upper.velocity, s, durationS),
            rotation,
            hermiteVelocity(lower.position, lower.velocity, upper.position, upper.velocity, s, durationS),
            'interpolated',
          );
        }
        const velocity = lerpVector(lower.velocity, upper.velocity, s);
        return state(lerpVector(lower.position, upper.position, s), rotation, velocity, 'interpolated');
      }
      return state(lerpVector(lower.position, upper.position, s), rotation, segmentVelocity(lower, upper), 'interpolated');
    }

    // Past the newest snapshot: the next one is late. Project along the last known motion, but
    // only for maxExtrapolationMs; then hold there and say so.
    const lateMs = t - lower.serverTimeMs;
    const appliedMs = Math.min(lateMs, resolved.maxExtrapolationMs);
    const stale = lateMs > resolved.maxExtrapolationMs;
    const velocity = lower.velocity ?? (previous === undefined ? zero() : segmentVelocity(previous, lower));
    const seconds = appliedMs / MS_PER_SECOND;
    const position = {
      x: lower.position.x + velocity.x * seconds,
      y: lower.position.y + velocity.y * seconds,
      z: lower.position.z + velocity.z * seconds,
    };
    // Keep turning at the rate of the last two snapshots (slerp with t > 1), if there are two.
    const rotation =
      previous === undefined || appliedMs === 0
        ? copyQuaternion(lower.rotation)
        : slerpQuaternion(previous.rotation, lower.rotation, 1 + appliedMs / (lower.serverTimeMs - previous.serverTimeMs));
    return state(position, rotation, stale ? zero() : copyVector(velocity), stale ? 'held' : 'extrapolated', appliedMs, stale);
  }

  /** Keeps the snapshot at `index` (the one at or before the render time) and the one before it. */
  function pruneBefore(buffer: SnapshotBuffer, index: number): void {
    buffer.dropOldest(index - 1);
  }

  const interpolator: Interpolator = {
    options: resolved,
    get interpolationDelayMs() {
      return delayMs;
    },
    get size() {
      return buffers.size;
    },
    push(entityId, sample) {
      const known = buffers.get(entityId);
      if (known !== undefined) return known.push(sample);
      const buffer = new SnapshotBuffer(resolved.maxSamplesPerEntity);
      const result = buffer.push(sample);
      // An invalid first sample must not create an entity that would then be held at nothing.
      if (result !== 'invalid') buffers.set(entityId, buffer);
      return result;
    },
    remove(entityId) {
      return buffers.delete(entityId);
    },
    clear() {
      buffers.clear();
    },
    has(entityId) {
      return buffers.has(entityId);
    },
    entityIds() {
      return [...buffers.keys()];
    },
    bufferedSamples(entityId) {
      return buffers.get(entityId)?.size ?? 0;
    },
    setInterpolationDelayMs(value) {
      checkNonNegativeMs('interpolationDelayMs', value);
      delayMs = value;
    },
    renderTimeAt(nowServerTimeMs) {
      return nowServerTimeMs - delayMs;
    },
    sample(renderServerTimeMs) {
      checkTime(renderServerTimeMs);
      const out: InterpolatedState[] = [];
      for (const [entityId, buffer] of buffers) out.push(evaluate(entityId, buffer, renderServerTimeMs));
      return out;
    },
    sampleAt(nowServerTimeMs) {
      return interpolator.sample(interpolator.renderTimeAt(nowServerTimeMs));
    },
    sampleEntity(entityId, renderServerTimeMs) {
      checkTime(renderServerTimeMs);
      const buffer = buffers.get(entityId);
      return buffer === undefined ? undefined : evaluate(entityId, buffer, renderServerTimeMs);
    },
  };
  return interpolator;
}
