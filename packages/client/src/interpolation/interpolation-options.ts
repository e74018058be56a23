/**
 * Options of the interpolator, their defaults and their validation.
 */
import { invalidOptionsError } from '../errors.js';

/** How positions are blended between two snapshots. */
export type InterpolationPositionMode = 'linear' | 'hermite';

/** Settings of {@link createInterpolator}. */
export interface InterpolationOptions {
  /**
   * How far behind the server clock entities are rendered, in ms. Two server ticks means the
   * snapshot after the render time has usually arrived, so one lost or late packet is bridged by
   * interpolation instead of extrapolation. Use {@link interpolationDelayForTickRate} to derive it
   * from a tick rate.
   * @default 100 (two ticks at 20 Hz)
   */
  interpolationDelayMs?: number;
  /**
   * Longest time past the newest snapshot an entity is extrapolated, in ms. Past it the entity is
   * held where the extrapolation stopped and flagged `stale`: guessing further would only make
   * the correction larger when the next snapshot arrives.
   * @default 250
   */
  maxExtrapolationMs?: number;
  /**
   * Snapshots kept per entity, at least 2. When full, the oldest is evicted; samples the render
   * time has passed are pruned at every `sample`, so this only bounds bursts and a stalled render.
   * @default 32 (1.6 s at 20 Hz)
   */
  maxSamplesPerEntity?: number;
  /**
   * `'linear'`: straight segments between snapshots (output never leaves the segment).
   * `'hermite'`: cubic Hermite curves through the snapshots using their velocities as tangents,
   * which removes the corner at each snapshot; a segment whose two ends do not both carry a
   * velocity falls back to linear.
   * @default 'linear'
   */
  positionMode?: InterpolationPositionMode;
}

/** Two server ticks at the gateway's default 20 Hz, in ms (see DESIGN.md "Client data flow"). */
const DEFAULT_INTERPOLATION_DELAY_MS = 100;
/** A quarter second: long enough to ride out a jitter spike, short enough not to run through walls. */
const DEFAULT_MAX_EXTRAPOLATION_MS = 250;
/** 32 snapshots: 1.6 s of history at 20 Hz, far more than a 100 ms delay needs, still small. */
const DEFAULT_MAX_SAMPLES_PER_ENTITY = 32;
/** Two samples are the least that can be interpolated between. */
const MIN_SAMPLES_PER_ENTITY = 2;
/** Ticks of delay {@link interpolationDelayForTickRate} uses unless told otherwise. */
const DEFAULT_DELAY_TICKS = 2;

/** Defaults of {@link InterpolationOptions}. */
export const interpolationDefaults: Readonly<Required<InterpolationOptions>> = Object.freeze({
  interpolationDelayMs: DEFAULT_INTERPOLATION_DELAY_MS,
  maxExtrapolationMs: DEFAULT_MAX_EXTRAPOLATION_MS,
  maxSamplesPerEntity: DEFAULT_MAX_SAMPLES_PER_ENTITY,
  positionMode: 'linear',
});

function invalid(message: string): ReturnType<typeof invalidOptionsError> {
  return invalidOptionsError(message);
}

/** Throws `MmoError` `INVALID_OPTIONS` unless `value` is a finite number >= 0. */
export function checkNonNegativeMs(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`interpolation option ${name} must be a finite number of ms >= 0 (got ${String(value)})`);
  }
}

/**
 * The interpolation delay for a server tick rate: `ticks` tick intervals, in ms.
 * @example
 * createInterpolator({ interpolationDelayMs: interpolationDelayForTickRate(30) }); // 66.7 ms
 * @throws MmoError `INVALID_OPTIONS` for a rate that is not > 0 or a negative tick count.
 */
export function interpolationDelayForTickRate(tickRateHz: number, ticks: number = DEFAULT_DELAY_TICKS): number {
  if (typeof tickRateHz !== 'number' || !Number.isFinite(tickRateHz) || tickRateHz <= 0) {
    throw invalid(`tickRateHz must be a finite number > 0 (got ${String(tickRateHz)})`);
  }
  if (typeof ticks !== 'number' || !Number.isFinite(ticks) || ticks < 0) {
    throw invalid(`ticks must be a finite number >= 0 (got ${String(ticks)})`);
  }
  return (ticks * 1000) / tickRateHz;
}

/**
 * Merges `options` over {@link interpolationDefaults} and checks every field.
 * @throws MmoError `INVALID_OPTIONS` naming the first bad setting.
 */
export function resolveInterpolationOptions(options: InterpolationOptions = {}): Readonly<Required<InterpolationOptions>> {
  // `exactOptionalPropertyTypes` keeps explicit undefined out of typed callers; JS callers may
  // still pass it, and it means "default" there too.
  const resolved: Required<InterpolationOptions> = {
    interpolationDelayMs: options.interpolationDelayMs ?? interpolationDefaults.interpolationDelayMs,
    maxExtrapolationMs: options.maxExtrapolationMs ?? interpolationDefaults.maxExtrapolationMs,
    maxSamplesPerEntity: options.maxSamplesPerEntity ?? interpolationDefaults.maxSamplesPerEntity,
    positionMode: options.positionMode ?? interpolationDefaults.positionMode,
  };
  checkNonNegativeMs('interpolationDelayMs', resolved.interpolationDelayMs);
  checkNonNegativeMs('maxExtrapolationMs', resolved.maxExtrapolationMs);
  if (!Number.isInteger(resolved.maxSamplesPerEntity) || resolved.maxSamplesPerEntity < MIN_SAMPLES_PER_ENTITY) {
    throw invalid(
      `interpolation option maxSamplesPerEntity must be an integer >= ${MIN_SAMPLES_PER_ENTITY} ` +
        `(got ${String(resolved.maxSamplesPerEntity)})`,
    );
  }
  if (resolved.positionMode !== 'linear' && resolved.positionMode !== 'hermite') {
    throw invalid(`interpolation option positionMode must be 'linear' or 'hermite' (got ${String(resolved.positionMode)})`);
  }
  return Object.freeze(resolved);
}
