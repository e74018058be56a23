/**
 * Remote entities of a {@link WorldState} into an {@link Interpolator}: one sample per visible
 * entity per server tick, stamped with the WORLD_DELTA's server time; exits remove them. The
 * local player is left out (prediction draws it).
 */
import type { Unsubscribe } from '../events/emitter.js';
import type { Interpolator } from '../interpolation/interpolator.js';
import type { WorldState } from './world-state.js';

/**
 * Feeds `interpolator` from `world` until the returned function is called.
 * @example
 * const interpolator = createInterpolator({ interpolationDelayMs: interpolationDelayForTickRate(20) });
 * const stop = feedInterpolator(world, interpolator);
 * // each frame:
 * for (const e of interpolator.sampleAt(client.serverNow())) scene.place(e.entityId, e.position, e.rotation);
 */
export function feedInterpolator(world: WorldState, interpolator: Interpolator): Unsubscribe {
  const offs = [
    world.on('entityUpdated', ({ entity, serverTimeMs }) => {
      if (entity.entityId === world.selfEntityId) return;
      const { position, rotation, velocity } = entity.motion;
      interpolator.push(entity.entityId, { serverTimeMs, position, rotation, velocity });
    }),
    world.on('entityExited', ({ entity }) => interpolator.remove(entity.entityId)),
    // Self may become known after its first samples went in (AUTH_RESULT after the snapshot).
    world.on('selfState', ({ entity }) => interpolator.remove(entity.entityId)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
