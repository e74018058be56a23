import { ErrorCode, ManualClock, MessageType, pb } from '@mmo/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../config/config-error.js';
import { MemoryFriendsProvider } from './friends-provider.js';
import { MemoryPresenceStore } from './memory-presence-store.js';
import { isPresenceError } from './presence-error.js';
import type { PresenceLogger, PresenceServiceOptions } from './presence-options.js';
import { createPresenceService } from './presence-service.js';
import type { PresenceStore } from './presence-store.js';
import { createStatusChangeHandler } from './status-change-handler.js';
import { FlakyStore, flush, MortalNode, SentLog } from './test-nodes.js';

const S = pb.PlayerStatus;
const TTL_MS = 3_000;
const REFRESH_MS = 1_000;
const SWEEP_MS = 100;

function cluster() {
  const clock = new ManualClock(1_700_000_000_000);
  const store = new MemoryPresenceStore(clock, { sweepIntervalMs: SWEEP_MS });
  const friends = new MemoryFriendsProvider();
  const node = (nodeId: string, extra: Partial<PresenceServiceOptions> & { store?: PresenceStore } = {}) => {
    const sent = new SentLog();
    const service = createPresenceService({ store, friends, clock, nodeId, ttlMs: TTL_MS, refreshIntervalMs: REFRESH_MS, send: sent.send, ...extra });
    return { service, sent };
  };
  /** Advances the clock in small steps, letting async work run between them. */
  const passTime = async (ms: number, stepMs = 50) => {
    for (let t = 0; t < ms; t += stepMs) {
      clock.advance(Math.min(stepMs, ms - t));
      await flush();
    }
  };
  return { clock, store, friends, node, passTime };
}

describe('PresenceService', () => {
  it('sends FRIEND_LIST on connect with every friend’s current presence', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    c.friends.addFriendship('alice', 'carol');
    const a = c.node('node-a');
    await a.service.connect('bob');
    await a.service.statusChange('bob', { status: S.PLAYER_STATUS_IN_GAME, zoneId: 'forest', statusMessage: 'questing' });
    await a.service.connect('alice');
    await flush();
    const [list] = a.sent.friendLists('alice');
    const byId = new Map(list!.friends!.map((f) => [f.userId, f]));
    expect(byId.get('bob')).toMatchObject({ status: S.PLAYER_STATUS_IN_GAME, zoneId: 'forest', statusMessage: 'questing', nodeId: 'node-a' });
    expect(byId.get('carol')).toMatchObject({ status: S.PLAYER_STATUS_OFFLINE, nodeId: '' });
    // The user learns their own presence too.
    expect(a.sent.presenceUpdates('alice').at(-1)).toMatchObject({ userId: 'alice', status: S.PLAYER_STATUS_ONLINE, nodeId: 'node-a' });
    // And bob, already online, heard alice arrive.
    expect(a.sent.friendStatuses('bob').at(-1)).toMatchObject({ userId: 'bob', friendId: 'alice', status: S.PLAYER_STATUS_ONLINE });
  });

  it('delivers status changes live to connected friends only, on this node and across nodes', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    c.friends.addFriendship('bob', 'erin');
    const a = c.node('node-a');
    const b = c.node('node-b');
    await a.service.connect('alice');
    await a.service.connect('dave'); // not a friend of bob
    await b.service.connect('erin');
    await b.service.connect('bob');
    await flush();
    a.sent.clear();
    b.sent.clear();
    const record = await b.service.statusChange('bob', { status: S.PLAYER_STATUS_BUSY, statusMessage: 'raid', zoneId: 'ignored unless in-game' });
    expect(record).toMatchObject({ status: 'busy', zoneId: '', statusMessage: 'raid', nodeId: 'node-b' });
    await flush();
    expect(a.sent.friendStatuses('alice')).toEqual([
      { userId: 'alice', friendId: 'bob', status: S.PLAYER_STATUS_BUSY, zoneId: '', statusMessage: 'raid', timestamp: c.clock.now() },
    ]);
    expect(b.sent.friendStatuses('erin')).toHaveLength(1);
    expect(b.sent.presenceUpdates('bob')).toMatchObject([{ userId: 'bob', status: S.PLAYER_STATUS_BUSY }]);
    expect(a.sent.to('dave')).toEqual([]);
    // A node never delivers a change to users it does not hold.
    expect(a.sent.to('erin')).toEqual([]);
    expect(b.sent.to('alice')).toEqual([]);
  });

  it('takes a user offline when their last connection disconnects', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const a = c.node('node-a');
    await a.service.connect('alice');
    await a.service.connect('bob', 'phone');
    await a.service.connect('bob', 'pc');
    await flush();
    a.sent.clear();
    await a.service.disconnect('bob', 'phone');
    await flush();
    expect(a.sent.friendStatuses('alice')).toEqual([]);
    expect(a.service.isConnected('bob')).toBe(true);
    await a.service.disconnect('bob', 'pc');
    await flush();
    expect(a.sent.friendStatuses('alice')).toMatchObject([{ friendId: 'bob', status: S.PLAYER_STATUS_OFFLINE, timestamp: c.clock.now() }]);
    expect((await c.store.get(['bob'])).size).toBe(0);
    expect(a.service.stats().connectedUsers).toBe(1);
  });

  it('keeps connected users online well past the TTL by refreshing', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const a = c.node('node-a');
    const b = c.node('node-b');
    await a.service.connect('alice');
    await b.service.connect('bob');
    await c.passTime(5 * TTL_MS, 250);
    expect(b.sent.friendStatuses('bob').filter((f) => f.status === S.PLAYER_STATUS_OFFLINE)).toEqual([]);
    expect((await c.store.get(['alice'])).get('alice')?.status).toBe('online');
  });

  it('takes the users of a dead node (no refresh, no disconnect) offline within TTL + sweep', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const mortal = new MortalNode(c.clock, c.store);
    const a = c.node('node-a', { clock: mortal.clock, store: mortal.store });
    const b = c.node('node-b');
    await a.service.connect('alice');
    await b.service.connect('bob');
    await c.passTime(2 * REFRESH_MS);
    const diedAtMs = c.clock.now();
    mortal.kill();
    let offlineAtMs: number | undefined;
    for (let t = 0; t < 2 * TTL_MS && offlineAtMs === undefined; t += 50) {
      await c.passTime(50);
      if (b.sent.friendStatuses('bob').some((f) => f.friendId === 'alice' && f.status === S.PLAYER_STATUS_OFFLINE)) offlineAtMs = c.clock.now();
    }
    expect(offlineAtMs).toBeDefined();
    // The last refresh was at or before the death; expiry follows within TTL plus one sweep.
    expect(offlineAtMs! - diedAtMs).toBeLessThanOrEqual(TTL_MS + SWEEP_MS);
    expect(offlineAtMs! - diedAtMs).toBeGreaterThan(TTL_MS - REFRESH_MS);
  });

  it('keeps a user online on one node when their device on another node leaves', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const a = c.node('node-a');
    const b = c.node('node-b');
    await b.service.connect('bob');
    await a.service.connect('alice');
    await b.service.connect('alice'); // second device, now owning the record
    await b.service.statusChange('alice', { status: S.PLAYER_STATUS_AWAY });
    await flush();
    // The other device follows the chosen status.
    expect(a.sent.presenceUpdates('alice').at(-1)).toMatchObject({ status: S.PLAYER_STATUS_AWAY, nodeId: 'node-b' });
    await b.service.disconnect('alice');
    await flush();
    expect((await c.store.get(['alice'])).get('alice')).toMatchObject({ status: 'away', nodeId: 'node-a' });
    expect(b.sent.friendStatuses('bob').at(-1)).toMatchObject({ friendId: 'alice', status: S.PLAYER_STATUS_AWAY });
  });

  it('holds live changes until the FRIEND_LIST is out, so a snapshot never overtakes them', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const friends = {
      friendsOf: async (userId: string) => {
        if (userId === 'alice') await gate;
        return c.friends.friendsOf(userId);
      },
      watchersOf: (userId: string) => c.friends.watchersOf(userId),
    };
    const a = c.node('node-a', { friends });
    await a.service.connect('bob');
    const connecting = a.service.connect('alice');
    await flush();
    await a.service.statusChange('bob', { status: S.PLAYER_STATUS_AWAY });
    await flush();
    expect(a.sent.to('alice')).toEqual([]);
    release();
    await connecting;
    await flush();
    const types = a.sent.to('alice').map((m) => m.type);
    expect(types[0]).toBe(MessageType.FRIEND_LIST);
    expect(a.sent.friendStatuses('alice').at(-1)).toMatchObject({ friendId: 'bob', status: S.PLAYER_STATUS_AWAY });
  });

  it('refuses invalid status changes with typed errors', async () => {
    const c = cluster();
    const a = c.node('node-a', { maxStatusMessageLength: 8, maxZoneIdLength: 4 });
    await a.service.connect('alice');
    const cases: Array<[object, string, number]> = [
      [{ status: S.PLAYER_STATUS_UNSPECIFIED }, 'INVALID_STATUS', ErrorCode.VALIDATION_FAILED],
      [{ status: S.PLAYER_STATUS_OFFLINE }, 'INVALID_STATUS', ErrorCode.VALIDATION_FAILED],
      [{ status: 42 }, 'INVALID_STATUS', ErrorCode.VALIDATION_FAILED],
      [{ status: S.PLAYER_STATUS_IN_GAME }, 'ZONE_REQUIRED', ErrorCode.VALIDATION_FAILED],
      [{ status: S.PLAYER_STATUS_IN_GAME, zoneId: 'toolong' }, 'FIELD_TOO_LONG', ErrorCode.VALIDATION_FAILED],
      [{ status: S.PLAYER_STATUS_AWAY, statusMessage: 'x'.repeat(9) }, 'FIELD_TOO_LONG', ErrorCode.VALIDATION_FAILED],
      [{ status: S.PLAYER_STATUS_AWAY, playerId: 'mallory' }, 'WRONG_PLAYER', ErrorCode.FORBIDDEN],
    ];
    for (const [change, code, wire] of cases) {
      const error = await a.service.statusChange('alice', change).catch((e: unknown) => e);
      expect(isPresenceError(error, code as never), `${JSON.stringify(change)} -> ${code}`).toBe(true);
      expect((error as { errorCode: number }).errorCode).toBe(wire);
    }
    const notHere = await a.service.statusChange('zed', { status: S.PLAYER_STATUS_AWAY }).catch((e: unknown) => e);
    expect(isPresenceError(notHere, 'NOT_CONNECTED')).toBe(true);
    expect((await c.store.get(['alice'])).get('alice')?.status).toBe('online');
    await a.service.statusChange('alice', { status: S.PLAYER_STATUS_AWAY, playerId: 'alice', statusMessage: 'x'.repeat(8) });
  });

  it('maps presence errors to HandlerError in the PLAYER_STATUS_CHANGE handler', async () => {
    const c = cluster();
    const a = c.node('node-a');
    await a.service.connect('alice');
    const handler = createStatusChangeHandler(a.service);
    const ctx = (payload: object) => ({ connection: { userId: 'alice' }, payload }) as unknown as Parameters<typeof handler>[0];
    await handler(ctx({ status: S.PLAYER_STATUS_BUSY }));
    expect((await c.store.get(['alice'])).get('alice')?.status).toBe('busy');
    await expect(handler(ctx({ status: S.PLAYER_STATUS_OFFLINE }))).rejects.toMatchObject({ name: 'HandlerError', errorCode: ErrorCode.VALIDATION_FAILED });
  });

  it('keeps serving while the store is down, reports it, and writes back once it returns', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const flaky = new FlakyStore(c.store);
    const errors: unknown[] = [];
    const logger: PresenceLogger = { debug() {}, info() {}, warn() {}, error: (fields) => errors.push(fields) };
    const a = c.node('node-a', { store: flaky, logger });
    await a.service.connect('alice');
    await a.service.connect('bob');
    await flush();
    expect(a.service.isHealthy()).toBe(true);
    a.sent.clear();
    flaky.down = true;
    await a.service.statusChange('bob', { status: S.PLAYER_STATUS_BUSY });
    await flush();
    // Same-node friends still hear it; the outage is logged once and reported.
    expect(a.sent.friendStatuses('alice')).toMatchObject([{ friendId: 'bob', status: S.PLAYER_STATUS_BUSY }]);
    expect(a.service.isHealthy()).toBe(false);
    await a.service.connect('carol');
    await c.passTime(3 * REFRESH_MS);
    expect(errors).toHaveLength(1);
    expect(a.service.stats().storeFailures).toBeGreaterThan(1);
    expect(a.sent.friendStatuses('alice')).toHaveLength(1); // repairs are not re-announced
    flaky.down = false;
    await c.passTime(REFRESH_MS);
    expect(a.service.isHealthy()).toBe(true);
    expect((await c.store.get(['bob'])).get('bob')?.status).toBe('busy');
    expect((await c.store.get(['carol'])).get('carol')?.status).toBe('online');
  });

  it('close takes this node’s users offline and refuses later calls', async () => {
    const c = cluster();
    c.friends.addFriendship('alice', 'bob');
    const a = c.node('node-a');
    const b = c.node('node-b');
    await a.service.connect('alice');
    await b.service.connect('bob');
    await a.service.close();
    await flush();
    expect(b.sent.friendStatuses('bob').at(-1)).toMatchObject({ friendId: 'alice', status: S.PLAYER_STATUS_OFFLINE });
    expect(isPresenceError(await a.service.connect('alice').catch((e: unknown) => e), 'CLOSED')).toBe(true);
    expect(a.service.isHealthy()).toBe(false);
  });

  it('bounds queued deliveries and counts what it drops', async () => {
    const c = cluster();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const friends = { friendsOf: () => [], watchersOf: async () => { await gate; return []; } };
    const a = c.node('node-a', { friends, maxPendingOperations: 3 });
    for (let i = 0; i < 10; i++) await c.store.set(`u${i}`, { status: 'online', zoneId: '', statusMessage: '', nodeId: 'x', lastSeenMs: 0 }, TTL_MS);
    expect(a.service.stats()).toMatchObject({ pendingChanges: 3, droppedChanges: 7 });
    release();
    await flush();
    expect(a.service.stats().pendingChanges).toBe(0);
  });

  it('validates its options at construction', () => {
    const c = cluster();
    const bad = (extra: Partial<PresenceServiceOptions>) => {
      try {
        c.node('node-a', extra);
      } catch (error) {
        return isConfigError(error) ? (error as { setting: string }).setting : 'other';
      }
      return 'accepted';
    };
    expect(bad({ ttlMs: 0 })).toBe('presence.ttlMs');
    expect(bad({ refreshIntervalMs: TTL_MS })).toBe('presence.refreshIntervalMs');
    expect(bad({ maxFriends: Number.NaN })).toBe('presence.maxFriends');
    expect(bad({})).toBe('accepted');
  });

  it('accepts a pino logger', () => {
    const logger: PresenceLogger = pino({ level: 'silent' });
    expect(typeof logger.error).toBe('function');
  });
});
