import { type Clock, MessageType, type mmo, systemClock, type TimerHandle } from '@mmo/protocol';
import { KeyedSerialQueue } from './keyed-queue.js';
import { MemoryPresenceStore } from './memory-presence-store.js';
import { PresenceError } from './presence-error.js';
import { type PresenceLogger, type PresenceServiceOptions, resolvePresenceLimits } from './presence-options.js';
import { offlineRecord, type PresenceChange, PresenceStatus, type PresenceRecord } from './presence-store.js';
import { fromWireStatus, toFriendStatus, toPresenceUpdate } from './presence-wire.js';

/** Counters of one presence service. */
export interface PresenceStats {
  /** Users connected to this node's presence. */
  connectedUsers: number;
  /** Change deliveries queued or running. */
  pendingChanges: number;
  /** Change deliveries dropped because `maxPendingOperations` were queued. */
  droppedChanges: number;
  /** Store calls that failed or timed out (friends-provider failures are logged, not counted). */
  storeFailures: number;
}

/**
 * Presence on one gateway node. Messages it sends:
 * - FRIEND_LIST (302) to a user on every `connect`: the current presence of each friend;
 * - FRIEND_STATUS (301) to each connected watcher (FriendsProvider.watchersOf) whenever a user's
 *   presence changes on any node (set, disconnect, expiry);
 * - PRESENCE_UPDATE (300) to the user themself: their own presence as stored, after each change
 *   (from any of their devices, on any node) and on a further `connect`.
 */
export interface PresenceService {
  /** This node's id in the store. */
  readonly nodeId: string;
  /**
   * A connection of `userId` arrived (call it again on a resume: it re-sends FRIEND_LIST). The
   * first one marks the user online; `connectionKey` (a session id) counts several devices.
   */
  connect(userId: string, connectionKey?: string): Promise<void>;
  /**
   * Applies a client's PLAYER_STATUS_CHANGE; rejects with a PresenceError when it is invalid or
   * the user is not connected here. Resolves with the record now in force.
   */
  statusChange(userId: string, change: mmo.v1.IPlayerStatusChange): Promise<PresenceRecord>;
  /** A connection of `userId` is gone for good; the last one takes the user offline. */
  disconnect(userId: string, connectionKey?: string): Promise<void>;
  /** Sends `userId` a fresh FRIEND_LIST (after the game changed their friendships). */
  resendFriendList(userId: string): Promise<void>;
  /** Presence of the given users (offline when unknown or when the store cannot be reached). */
  getPresence(userIds: readonly string[]): Promise<Map<string, PresenceRecord>>;
  /** True while `userId` has a connection on this node. */
  isConnected(userId: string): boolean;
  /** False while the store fails or reports itself unhealthy (the service keeps serving). */
  isHealthy(): boolean;
  stats(): PresenceStats;
  /** Stops timers and the feed, takes this node's users offline, closes a store it created. */
  close(): Promise<void>;
}

interface LocalUser {
  connections: Set<string>;
  /** What this node holds for the user (status they chose; this node as owner). */
  record: PresenceRecord;
  /** The store may not hold `record` (a write failed): written again at the next refresh. */
  dirty: boolean;
  /** > 0 while FRIEND_LIST is built; changes for the user wait in `held` meanwhile. */
  building: number;
  held: Array<[type: number, payload: unknown]>;
}

const silentLogger: PresenceLogger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates the presence service of one node. Local and remote changes reach watchers by one path,
 * the store's change feed, so nothing is delivered twice; when the store fails, this node's own
 * changes are delivered to its own users directly and written again once the store is back.
 * @example
 * const presence = createPresenceService({
 *   store: new RedisPresenceStore(redis), friends, nodeId: 'gw-1',
 *   send: (userId, type, payload) => gateway.sendToUser(userId, type, payload),
 *   logger: gateway.logger,
 * });
 */
export function createPresenceService(options: PresenceServiceOptions): PresenceService {
  const limits = resolvePresenceLimits(options);
  const clock: Clock = options.clock ?? systemClock;
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryPresenceStore(clock);
  const friends = options.friends;
  const logger = options.logger ?? silentLogger;
  const nodeId = options.nodeId ?? `node-${globalThis.crypto.randomUUID()}`;
  const users = new Map<string, LocalUser>();
  const operations = new KeyedSerialQueue(limits.maxPendingOperations);
  const deliveries = new KeyedSerialQueue(limits.maxPendingOperations);
  let refreshTimer: TimerHandle | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;
  let failing = false;
  const counters = { droppedChanges: 0, storeFailures: 0 };

  const ok = () => {
    if (!failing) return;
    failing = false;
    logger.info({ nodeId }, 'presence store reachable again');
  };
  const failed = (error: unknown, op: string) => {
    counters.storeFailures++;
    // One error line per outage, not one per call.
    if (failing) logger.debug({ err: error, op, nodeId }, 'presence store call failed');
    else logger.error({ err: error, op, nodeId }, 'presence store failed; serving from this node');
    failing = true;
  };

  /** `value`, or a rejection once `storeTimeoutMs` passed on the clock. */
  const timed = <T>(value: Promise<T> | T, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new Error(`${what} took over ${limits.storeTimeoutMs} ms`)), limits.storeTimeoutMs);
      Promise.resolve(value).then(
        (v) => {
          clock.clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clock.clearTimeout(timer);
          reject(e);
        },
      );
    });

  const rawSend = (userId: string, type: number, payload: unknown) => {
    try {
      options.send(userId, type, payload);
    } catch (error) {
      logger.error({ err: error, userId, type, nodeId }, 'presence send failed');
    }
  };
  /** Sends now, or holds the message while the user's FRIEND_LIST is being built. */
  const sendTo = (user: LocalUser, userId: string, type: number, payload: unknown) => {
    if (user.building === 0) return rawSend(userId, type, payload);
    if (user.held.length >= limits.maxBufferedPerUser) user.held.shift();
    user.held.push([type, payload]);
  };

  /** Fans one change out to this node: the user's own devices, then their connected watchers. */
  const deliver = async (change: PresenceChange): Promise<void> => {
    const { userId, record, reason } = change;
    const self = users.get(userId);
    if (self !== undefined) {
      if (reason !== 'set') {
        // Gone from the store while still connected here (another device's node removed it, or
        // our refreshes failed past the time to live): write it back rather than flicker.
        self.dirty = true;
        operations.run(userId, () => write(userId, false))?.catch(() => {});
        return;
      }
      if (record.nodeId !== nodeId) {
        // The user's other device, on another node, chose a status: adopt it as ours too.
        self.record = { ...record, nodeId };
      }
      sendTo(self, userId, MessageType.PRESENCE_UPDATE, toPresenceUpdate(userId, record));
    }
    let watchers: readonly string[];
    try {
      watchers = await timed(friends.watchersOf(userId), 'friends.watchersOf');
    } catch (error) {
      logger.warn({ err: error, userId, nodeId }, 'friends provider failed: change not delivered');
      return;
    }
    for (const watcherId of watchers) {
      const watcher = users.get(watcherId);
      if (watcher === undefined || watcherId === userId) continue;
      sendTo(watcher, watcherId, MessageType.FRIEND_STATUS, toFriendStatus(watcherId, userId, record));
    }
  };
  const enqueueDelivery = (change: PresenceChange) => {
    const queued = deliveries.run(change.userId, () => deliver(change));
    if (queued !== undefined) {
      queued.catch((error: unknown) => logger.error({ err: error, userId: change.userId, nodeId }, 'presence delivery failed'));
      return;
    }
    counters.droppedChanges++;
    if (counters.droppedChanges === 1 || counters.droppedChanges % 1000 === 0) {
      logger.warn({ nodeId, dropped: counters.droppedChanges }, 'presence deliveries dropped (maxPendingOperations)');
    }
  };
  const unsubscribe = store.subscribe((change) => {
    if (!closed) enqueueDelivery(change);
  });

  /**
   * Writes the user's record; on failure keeps it dirty and, for a change (not a repair), tells
   * this node's watchers directly.
   */
  const write = async (userId: string, announceOnFailure = true): Promise<void> => {
    const user = users.get(userId);
    if (user === undefined) return;
    try {
      await timed(store.set(userId, user.record, limits.ttlMs), 'store.set');
      user.dirty = false;
      ok();
    } catch (error) {
      failed(error, 'set');
      user.dirty = true;
      if (announceOnFailure) enqueueDelivery({ userId, record: { ...user.record }, reason: 'set' });
    }
  };

  const friendList = async (userId: string): Promise<void> => {
    let ids: readonly string[] = [];
    try {
      ids = (await timed(friends.friendsOf(userId), 'friends.friendsOf')).slice(0, limits.maxFriends);
    } catch (error) {
      logger.warn({ err: error, userId, nodeId }, 'friends provider failed: empty FRIEND_LIST');
    }
    let records = new Map<string, PresenceRecord>();
    try {
      if (ids.length > 0) {
        records = await timed(store.get(ids), 'store.get');
        ok();
      }
    } catch (error) {
      failed(error, 'get');
      // Best effort from what this node knows: its own connected users.
      records = new Map(ids.flatMap((id) => { const u = users.get(id); return u === undefined ? [] : [[id, u.record] as const]; }));
    }
    const list: mmo.v1.IFriendList = { friends: ids.map((id) => toPresenceUpdate(id, records.get(id) ?? offlineRecord(0))) };
    rawSend(userId, MessageType.FRIEND_LIST, list);
  };

  /** Builds and sends FRIEND_LIST, holding live changes until it is out so none is overtaken. */
  const withFriendList = async (userId: string, user: LocalUser, before: () => Promise<void>) => {
    user.building++;
    try {
      await before();
      await friendList(userId);
    } finally {
      user.building--;
      if (user.building === 0) {
        const held = user.held.splice(0);
        for (const [type, payload] of held) rawSend(userId, type, payload);
      }
    }
  };

  const queue = <T>(userId: string, op: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new PresenceError('CLOSED', 'the presence service is closed'));
    const queued = operations.run(userId, op);
    return queued ?? Promise.reject(new PresenceError('OVERLOADED', 'too many presence operations are queued on this node'));
  };

  const refreshTick = async (): Promise<void> => {
    const ids = [...users.keys()];
    const dirty = ids.filter((id) => users.get(id)?.dirty === true);
    const clean = ids.filter((id) => users.get(id)?.dirty !== true);
    let missing: string[] = [];
    if (clean.length > 0) {
      try {
        missing = await timed(store.refresh(nodeId, clean, limits.ttlMs), 'store.refresh');
        ok();
      } catch (error) {
        failed(error, 'refresh');
      }
    }
    for (const id of [...dirty, ...missing]) {
      const user = users.get(id);
      if (user === undefined) continue;
      user.dirty = true;
      operations.run(id, () => write(id, false))?.catch(() => {});
    }
  };
  const armRefresh = () => {
    if (closed || refreshTimer !== undefined || users.size === 0) return;
    refreshTimer = clock.setTimeout(() => {
      refreshTimer = undefined;
      refreshing = refreshTick()
        .catch((error: unknown) => logger.error({ err: error, nodeId }, 'presence refresh failed'))
        .finally(() => {
          refreshing = undefined;
          armRefresh();
        });
    }, limits.refreshIntervalMs);
  };

  const validate = (userId: string, change: mmo.v1.IPlayerStatusChange): PresenceRecord => {
    const status = fromWireStatus(change.status);
    if (status === undefined || status === PresenceStatus.OFFLINE) {
      throw new PresenceError('INVALID_STATUS', 'status must be ONLINE, AWAY, BUSY or IN_GAME (disconnect to go offline)');
    }
    const playerId = change.playerId ?? '';
    if (playerId !== '' && playerId !== userId) throw new PresenceError('WRONG_PLAYER', 'player_id must be empty or the sender');
    const zoneId = status === PresenceStatus.IN_GAME ? (change.zoneId ?? '') : '';
    if (status === PresenceStatus.IN_GAME && zoneId === '') throw new PresenceError('ZONE_REQUIRED', 'IN_GAME needs zone_id');
    if (zoneId.length > limits.maxZoneIdLength) {
      throw new PresenceError('FIELD_TOO_LONG', `zone_id is longer than ${limits.maxZoneIdLength} characters`);
    }
    const statusMessage = change.statusMessage ?? '';
    if (statusMessage.length > limits.maxStatusMessageLength) {
      throw new PresenceError('FIELD_TOO_LONG', `status_message is longer than ${limits.maxStatusMessageLength} characters`);
    }
    return { status, zoneId, statusMessage, nodeId, lastSeenMs: clock.now() };
  };

  return {
    nodeId,
    connect: (userId, connectionKey = userId) =>
      queue(userId, async () => {
        const existing = users.get(userId);
        if (existing !== undefined) {
          existing.connections.add(connectionKey);
          await withFriendList(userId, existing, async () => {});
          rawSend(userId, MessageType.PRESENCE_UPDATE, toPresenceUpdate(userId, existing.record));
          return;
        }
        const user: LocalUser = {
          connections: new Set([connectionKey]),
          record: { status: PresenceStatus.ONLINE, zoneId: '', statusMessage: '', nodeId, lastSeenMs: clock.now() },
          dirty: true,
          building: 0,
          held: [],
        };
        // Registered before the write, so the feed's echo (and every later change) finds the user.
        users.set(userId, user);
        armRefresh();
        await withFriendList(userId, user, () => write(userId));
      }),

    statusChange: (userId, change) => {
      let record: PresenceRecord;
      try {
        record = validate(userId, change);
      } catch (error) {
        return Promise.reject(error);
      }
      return queue(userId, async () => {
        const user = users.get(userId);
        if (user === undefined) throw new PresenceError('NOT_CONNECTED', 'the user is not connected to this node');
        user.record = record;
        await write(userId);
        return { ...user.record };
      });
    },

    disconnect: (userId, connectionKey = userId) =>
      (operations.run(userId, async () => {
        const user = users.get(userId);
        if (user === undefined || !user.connections.delete(connectionKey) || user.connections.size > 0) return;
        users.delete(userId);
        const lastSeenMs = clock.now();
        try {
          await timed(store.delete(userId, { nodeId, lastSeenMs }), 'store.delete');
          ok();
        } catch (error) {
          // The record expires by its time to live; this node's watchers learn it now.
          failed(error, 'delete');
          enqueueDelivery({ userId, record: offlineRecord(lastSeenMs), reason: 'delete' });
        }
      }) ?? Promise.reject(new PresenceError('OVERLOADED', 'too many presence operations are queued on this node'))),

    resendFriendList: (userId) =>
      queue(userId, async () => {
        const user = users.get(userId);
        if (user !== undefined) await withFriendList(userId, user, async () => {});
      }),

    getPresence: async (userIds) => {
      try {
        const records = await timed(store.get(userIds), 'store.get');
        ok();
        return records;
      } catch (error) {
        failed(error, 'get');
        return new Map(userIds.flatMap((id) => { const u = users.get(id); return u === undefined ? [] : [[id, { ...u.record }] as const]; }));
      }
    },

    isConnected: (userId) => users.has(userId),
    isHealthy: () => !closed && !failing && store.isHealthy(),
    stats: () => ({ connectedUsers: users.size, pendingChanges: deliveries.pending, ...counters }),

    close: async () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      if (refreshTimer !== undefined) clock.clearTimeout(refreshTimer);
      refreshTimer = undefined;
      await refreshing;
      await operations.drain();
      const ids = [...users.keys()];
      users.clear();
      const lastSeenMs = clock.now();
      const results = await Promise.allSettled(ids.map((id) => timed(store.delete(id, { nodeId, lastSeenMs }), 'store.delete')));
      const failures = results.filter((r) => r.status === 'rejected').length;
      if (failures > 0) logger.warn({ nodeId, users: failures }, 'presence close: users left to expire by their time to live');
      await deliveries.drain();
      if (ownsStore) await store.close();
    },
  };
}
