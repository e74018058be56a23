/**
 * Options of the world-state model, their defaults and their validation.
 */
import { type EntityStateCodecOptions, MmoError } from '@mmo/protocol';

/** Settings of {@link createWorldState}. Both peers' codec and tick rate must agree exactly. */
export interface WorldStateOptions {
  /**
   * The server's simulation rate, in ticks per second. A delta of an entity decodes against its
   * baseline advanced by `(tick - baselineTick) * 1000 / tickRate` ms, the same figure the server
   * (`mmo-gateway --tick-rate`, `MMO_TICK_RATE`) uses.
   * @default 20
   */
  tickRate?: number;
  /**
   * Ranges and precisions of the entity state codec (world box, max speed, bits).
   * @default the server's defaults (`entityStateCodecDefaults` of @mmo/protocol)
   */
  codec?: EntityStateCodecOptions;
  /**
   * The local player's user id (the `player_id` of its snapshot entry, the JWT's subject): the
   * player entity with that id becomes `selfEntityId`. `attachWorldState` fills it in from the
   * server's AUTH_RESULT when it is not given.
   * @default undefined (set later with `setSelfPlayerId`, or `setSelfEntityId`)
   */
  selfPlayerId?: string | undefined;
  /**
   * Receives errors thrown by event listeners, with the event name.
   * @default the error surfaces as an unhandled rejection (see TypedEmitter)
   */
  onListenerError?: ((error: unknown, event: string) => void) | undefined;
}

/** The gateway's default tick rate (DESIGN.md, `MMO_TICK_RATE`). */
const DEFAULT_TICK_RATE = 20;
/** The wire carries ticks as uint32; more than this many per second is not a game server. */
const MAX_TICK_RATE = 1000;

/** Defaults of {@link WorldStateOptions}. */
export const worldStateDefaults = Object.freeze({
  tickRate: DEFAULT_TICK_RATE,
  codec: Object.freeze({}) as Readonly<EntityStateCodecOptions>,
  selfPlayerId: undefined as string | undefined,
});

/** Code of the `MmoError` a bad option throws (the same value as the other client modules'). */
export const WorldStateErrorCode = {
  /** An option got a bad value. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
} as const;

/** The tick interval in ms for `tickRate`; throws `INVALID_OPTIONS` for a rate outside (0, 1000]. */
export function tickIntervalMsOf(tickRate: number): number {
  if (typeof tickRate !== 'number' || !Number.isFinite(tickRate) || tickRate <= 0 || tickRate > MAX_TICK_RATE) {
    throw new MmoError(WorldStateErrorCode.INVALID_OPTIONS, `world state option tickRate must be a number in (0, ${MAX_TICK_RATE}] Hz (got ${String(tickRate)})`);
  }
  // Exactly the server's `1000 / tickRate` (tick-loop.ts): elapsed times must be the same doubles.
  return 1000 / tickRate;
}
