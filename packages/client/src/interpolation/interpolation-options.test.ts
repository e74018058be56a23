import { isMmoError } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { createInterpolator } from './interpolator.js';
import { interpolationDefaults, interpolationDelayForTickRate, resolveInterpolationOptions } from './interpolation-options.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isMmoError(error) ? error.code : 'not an MmoError';
  }
  return undefined;
}

describe('interpolation options', () => {
  it('has frozen defaults: 100 ms delay, 250 ms extrapolation, 32 samples, linear', () => {
    expect(Object.isFrozen(interpolationDefaults)).toBe(true);
    expect(interpolationDefaults).toEqual({
      interpolationDelayMs: 100,
      maxExtrapolationMs: 250,
      maxSamplesPerEntity: 32,
      positionMode: 'linear',
    });
    expect(resolveInterpolationOptions()).toEqual(interpolationDefaults);
    expect(createInterpolator().options).toEqual(interpolationDefaults);
  });

  it('merges given options over the defaults', () => {
    expect(resolveInterpolationOptions({ positionMode: 'hermite', maxSamplesPerEntity: 2 })).toEqual({
      ...interpolationDefaults,
      positionMode: 'hermite',
      maxSamplesPerEntity: 2,
    });
  });

  it.each([
    ['interpolationDelayMs', { interpolationDelayMs: -1 }],
    ['interpolationDelayMs', { interpolationDelayMs: Number.NaN }],
    ['maxExtrapolationMs', { maxExtrapolationMs: Number.POSITIVE_INFINITY }],
    ['maxSamplesPerEntity', { maxSamplesPerEntity: 1 }],
    ['maxSamplesPerEntity', { maxSamplesPerEntity: 2.5 }],
    ['positionMode', { positionMode: 'cubic' }],
  ])('throws INVALID_OPTIONS naming %s', (name, options) => {
    expect(codeOf(() => createInterpolator(options as never))).toBe('INVALID_OPTIONS');
    expect(() => createInterpolator(options as never)).toThrow(name);
  });

  it('derives the delay from a tick rate (two ticks unless told otherwise)', () => {
    expect(interpolationDelayForTickRate(20)).toBe(100);
    expect(interpolationDelayForTickRate(60, 3)).toBe(50);
    expect(codeOf(() => interpolationDelayForTickRate(0))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => interpolationDelayForTickRate(20, -1))).toBe('INVALID_OPTIONS');
  });

  it('validates a delay changed at run time', () => {
    const interpolator = createInterpolator();
    interpolator.setInterpolationDelayMs(50);
    expect(interpolator.interpolationDelayMs).toBe(50);
    expect(interpolator.renderTimeAt(1000)).toBe(950);
    expect(codeOf(() => interpolator.setInterpolationDelayMs(-5))).toBe('INVALID_OPTIONS');
    expect(interpolator.interpolationDelayMs).toBe(50);
  });
});
