/**
 * Wiring a {@link WorldState} to a client: its dispatcher feeds the world messages in, and the
 * connection's `connected` restarts the view (the server sends a fresh full view on every resume
 * and every new session: `Zone.attachViewer` starts a viewer over).
 */
import { MessageType } from '@mmo/protocol';
import type { MmoClient } from '../client.js';
import type { Unsubscribe } from '../events/emitter.js';
import { WORLD_MESSAGE_TYPES, type WorldState } from './world-state.js';

/** What {@link attachWorldState} needs of a client (an `MmoClient` has it). */
export type WorldStateClient = Pick<MmoClient, 'onMessage' | 'on'>;

/**
 * Dispatcher priority of the world's handlers: above the default 0, so the game's own handlers of
 * the same messages already see the updated world.
 */
export const WORLD_HANDLER_PRIORITY = 100;

/**
 * Feeds `world` from `client`: INTEREST_UPDATE, WORLD_STATE, WORLD_DELTA, PLAYER_STATE and
 * ZONE_UPDATE go to `world.apply`; every `connected` calls `world.reset()` (before any message of
 * the new link is dispatched); a world message that fails to decode raises `desync`; the
 * AUTH_RESULT's user id becomes `selfPlayerId` unless the world was given one. Returns a function
 * that undoes all of it.
 * @example
 * const client = createMmoClient({ url, getToken });
 * const world = createWorldState({ tickRate: 20 });
 * const detach = attachWorldState(client, world);
 * world.on('selfState', ({ entity, lastProcessedInput }) => predictor.reconcile(toGame(entity.motion), lastProcessedInput));
 * await client.connect();
 */
export function attachWorldState(client: WorldStateClient, world: WorldState): Unsubscribe {
  const offs: Unsubscribe[] = [];
  for (const type of WORLD_MESSAGE_TYPES) {
    offs.push(client.onMessage(type, (payload: unknown) => world.apply(type, payload), { priority: WORLD_HANDLER_PRIORITY }));
  }
  // Only an id this helper set is replaced by a later login's; one the game gave is kept.
  const selfFromAuth = world.selfPlayerId === undefined;
  offs.push(
    client.onMessage(
      MessageType.AUTH_RESULT,
      (auth) => {
        if (!auth.success || auth.userId === '' || !selfFromAuth) return;
        world.setSelfPlayerId(auth.userId);
      },
      { priority: WORLD_HANDLER_PRIORITY },
    ),
  );
  offs.push(client.on('connected', () => world.reset()));
  offs.push(
    client.on('error', ({ error, context, type }) => {
      if (context === 'decode' && type !== undefined) world.reportDecodeError(type, error);
    }),
  );
  return () => {
    for (const off of offs.splice(0)) off();
  };
}
