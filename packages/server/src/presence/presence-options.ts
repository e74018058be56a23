import type { Clock } from '@mmo/protocol';
import { ConfigError } from '../config/config-error.js';
import type { FriendsProvider } from './friends-provider.js';
import type { PresenceStore } from './presence-store.js';

/** Where the presence service writes its logs; a pino logger fits. */
export interface PresenceLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/**
 * Sends one message to every open connection of a user on this node; `gateway.sendToUser` fits.
 * `type` is PRESENCE_UPDATE (300), FRIEND_STATUS (301) or FRIEND_LIST (302).
 */
export type PresenceSend = (userId: string, type: number, payload: unknown) => void;

/** Options of {@link createPresenceService}. */
export interface PresenceServiceOptions {
  /** Sends presence messages to this node's connected users (`gateway.sendToUser`). */
  send: PresenceSend;
  /** Who may see whom. */
  friends: FriendsProvider;
  /**
   * Where presence lives; a `RedisPresenceStore` for several nodes. A store passed here is not
   * closed by `close()`.
   * @default a MemoryPresenceStore on `clock`, closed by `close()`
   */
  store?: PresenceStore;
  /** Clock of the refresh timer, timeouts and `lastSeenMs`. @default systemClock */
  clock?: Clock;
  /**
   * This gateway node's id, stored with each of its users (unique per node of a cluster).
   * @default `node-` + a random UUID
   */
  nodeId?: string;
  /**
   * Time to live of a user's presence record, in ms: the users of a node that stops refreshing
   * (it died) go offline this long after its last refresh, plus the store's sweep interval.
   * @default 30000
   */
  ttlMs?: number;
  /**
   * How often this node refreshes the time to live of its connected users, in ms; below `ttlMs`
   * (a third of it survives two lost refreshes).
   * @default 10000
   */
  refreshIntervalMs?: number;
  /**
   * Longest wait for one store or friends-provider call, in ms; past it the call counts as failed.
   * @default 5000
   */
  storeTimeoutMs?: number;
  /**
   * Most friends whose presence one FRIEND_LIST carries (the provider's first ones).
   * @default 1000
   */
  maxFriends?: number;
  /**
   * Longest status message a client may set, in UTF-16 code units.
   * @default 128
   */
  maxStatusMessageLength?: number;
  /**
   * Longest zone id a client may set, in UTF-16 code units.
   * @default 64
   */
  maxZoneIdLength?: number;
  /**
   * Most queued presence operations (status changes, connects) and, separately, most queued
   * change deliveries on this node; beyond it operations are refused and deliveries dropped
   * (counted in `stats().droppedChanges`).
   * @default 10000
   */
  maxPendingOperations?: number;
  /**
   * Most changes held for one user while their FRIEND_LIST is being built (the oldest go first).
   * @default 1000
   */
  maxBufferedPerUser?: number;
  /** Logger. @default no logging */
  logger?: PresenceLogger;
}

/** Defaults of {@link PresenceServiceOptions}. */
export const presenceServiceDefaults = Object.freeze({
  ttlMs: 30_000,
  refreshIntervalMs: 10_000,
  storeTimeoutMs: 5_000,
  maxFriends: 1_000,
  maxStatusMessageLength: 128,
  maxZoneIdLength: 64,
  maxPendingOperations: 10_000,
  maxBufferedPerUser: 1_000,
});

/** The numeric settings after defaults, validated. */
export type ResolvedPresenceLimits = Record<keyof typeof presenceServiceDefaults, number>;

/** Merges the defaults once and checks every number; throws ConfigError naming the setting. */
export function resolvePresenceLimits(options: PresenceServiceOptions): ResolvedPresenceLimits {
  const out: ResolvedPresenceLimits = { ...presenceServiceDefaults };
  for (const key of Object.keys(presenceServiceDefaults) as Array<keyof ResolvedPresenceLimits>) {
    const value = options[key] ?? presenceServiceDefaults[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new ConfigError(`presence.${key}`, `must be a positive number, got ${String(value)}`);
    }
    out[key] = value;
  }
  if (out.refreshIntervalMs >= out.ttlMs) {
    throw new ConfigError('presence.refreshIntervalMs', `must be below ttlMs (${out.ttlMs} ms), got ${out.refreshIntervalMs}`);
  }
  return out;
}
