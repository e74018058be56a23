/**
 * What a user looks like to others, where it is kept, and how changes travel between nodes.
 * Two implementations share one contract suite (`presence-store.contract.ts`): the in-memory store
 * (embedded default) and the Redis store (several gateway nodes).
 */

/** A user's presence status. Wire form: `mmo.v1.PlayerStatus` (see `toWireStatus`). */
export const PresenceStatus = {
  ONLINE: 'online',
  AWAY: 'away',
  BUSY: 'busy',
  /** Playing; the record's `zoneId` says where. */
  IN_GAME: 'in-game',
  OFFLINE: 'offline',
} as const;
export type PresenceStatusName = (typeof PresenceStatus)[keyof typeof PresenceStatus];

/** One user's stored presence. */
export interface PresenceRecord {
  status: PresenceStatusName;
  /** Zone the user plays in ('' unless `in-game`). */
  zoneId: string;
  /** Free text the user chose ('' when none). */
  statusMessage: string;
  /** Gateway node that owns the user's connection ('' when offline). */
  nodeId: string;
  /**
   * When this record was written (a status change), in ms since the Unix epoch. For an offline
   * record: when the user went offline (for an expiry, when the key's time to live ran out).
   */
  lastSeenMs: number;
}

/** Why a change was announced: a write, a deliberate removal, or a time to live that ran out. */
export type PresenceChangeReason = 'set' | 'delete' | 'expire';

/** One entry of the change feed. */
export interface PresenceChange {
  userId: string;
  /** The user's presence after the change (status `offline` for `delete` and `expire`). */
  record: PresenceRecord;
  reason: PresenceChangeReason;
}

/** Receives every change of any user, from this node and (Redis) from every other node. */
export type PresenceChangeListener = (change: PresenceChange) => void;

/** Options of {@link PresenceStore.delete}. */
export interface PresenceDeleteOptions {
  /**
   * Only delete if the stored record belongs to this node, so a late disconnect on node A does
   * not take offline a user who has meanwhile connected to node B.
   * @default '' (delete whoever owns it)
   */
  nodeId?: string;
  /**
   * `lastSeenMs` of the offline record announced on the feed.
   * @default the store's clock, now
   */
  lastSeenMs?: number;
}

/**
 * Where presence lives beyond one process, with a feed of changes. Every write (`set`, `delete`)
 * and every expiry is announced once on the feed to every subscriber of every instance that shares
 * the backend. A record that is not refreshed within its time to live disappears and is announced
 * `expire` within the time to live plus the store's sweep interval, as long as any instance sharing
 * the backend is alive.
 */
export interface PresenceStore {
  /** Creates or replaces a user's record with a time to live in ms, and announces it. */
  set(userId: string, record: PresenceRecord, ttlMs: number): Promise<void>;
  /** The live records of the given users; users with no record (offline) are absent. */
  get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>>;
  /** Removes a user's record and announces them offline; resolves false if nothing was removed. */
  delete(userId: string, options?: PresenceDeleteOptions): Promise<boolean>;
  /**
   * Extends to `ttlMs` the time to live of those `userIds` whose record belongs to `nodeId`
   * (records of other nodes are left alone). Announces nothing. Resolves with the users that had
   * no record at all (expired or lost), so the caller can write them again.
   */
  refresh(nodeId: string, userIds: readonly string[], ttlMs: number): Promise<string[]>;
  /** Adds a feed listener; returns the function that removes it. */
  subscribe(listener: PresenceChangeListener): () => void;
  /** Resolves once the feed is live (the Redis store's subscription is confirmed). */
  ready(): Promise<void>;
  /** False while the backend is unreachable or the feed is down. */
  isHealthy(): boolean;
  /** Stops timers and the feed (the Redis store does not quit a client it was given). */
  close(): Promise<void>;
}

/** The offline record announced for a user who left or expired. */
export function offlineRecord(lastSeenMs: number): PresenceRecord {
  return { status: PresenceStatus.OFFLINE, zoneId: '', statusMessage: '', nodeId: '', lastSeenMs };
}

const STATUS_NAMES: ReadonlySet<string> = new Set(Object.values(PresenceStatus));

/** True for a valid {@link PresenceStatusName}. */
export function isPresenceStatus(value: unknown): value is PresenceStatusName {
  return typeof value === 'string' && STATUS_NAMES.has(value);
}
