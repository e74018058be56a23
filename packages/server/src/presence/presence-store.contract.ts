// The PresenceStore contract, run over every backend by presence-store.contract.test.ts (and by
// any third-party store: call describePresenceStoreContract with its own harness).
import { describe, expect, it } from 'vitest';
import { PresenceStatus, type PresenceChange, type PresenceRecord, type PresenceStore } from './presence-store.js';

/** One isolated backend for one test. */
export interface PresenceStoreFixture {
  store: PresenceStore;
  /** Another instance on the same backend with its own connections (memory: the same instance). */
  peer(): Promise<PresenceStore>;
  /** Lets `ms` of time pass: advances a manual clock; nothing for a backend on real time. */
  passTime(ms: number): void;
  /** A time to live short enough to wait for, in ms. */
  shortTtlMs: number;
  /** The store's sweep interval, in ms. */
  sweepIntervalMs: number;
  /** Closes the stores and removes what the test wrote. */
  dispose(): Promise<void>;
}

/** Builds fixtures for {@link describePresenceStoreContract}. */
export interface PresenceStoreHarness {
  create(): Promise<PresenceStoreFixture>;
}

/** Longest real time any feed event is waited for, in ms (a failure, never a sleep). */
const EVENT_DEADLINE_MS = 5_000;
const LONG_TTL_MS = 60_000;

/** Records a store's feed and waits for matching changes with a real-time deadline. */
export class FeedRecorder {
  readonly changes: PresenceChange[] = [];
  private waiters: Array<{ match: (c: PresenceChange) => boolean; resolve: (c: PresenceChange) => void }> = [];
  readonly stop: () => void;

  constructor(store: PresenceStore) {
    this.stop = store.subscribe((change) => {
      this.changes.push(change);
      for (const w of [...this.waiters]) {
        if (w.match(change)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(change);
        }
      }
    });
  }

  /** The first recorded change (from index `from`) that matches, or the next one to arrive. */
  waitFor(match: (c: PresenceChange) => boolean, from = 0, deadlineMs = EVENT_DEADLINE_MS): Promise<PresenceChange> {
    const seen = this.changes.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x.resolve !== done);
        reject(new Error(`no matching presence change within ${deadlineMs} ms; saw ${JSON.stringify(this.changes)}`));
      }, deadlineMs);
      const done = (c: PresenceChange) => {
        clearTimeout(timer);
        resolve(c);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  count(match: (c: PresenceChange) => boolean): number {
    return this.changes.filter(match).length;
  }
}

const online = (nodeId: string, lastSeenMs = 1_000): PresenceRecord => ({
  status: PresenceStatus.ONLINE,
  zoneId: '',
  statusMessage: '',
  nodeId,
  lastSeenMs,
});
const is = (userId: string, reason: PresenceChange['reason']) => (c: PresenceChange) => c.userId === userId && c.reason === reason;

/** Defines the contract tests of one PresenceStore backend. */
export function describePresenceStoreContract(name: string, harness: PresenceStoreHarness): void {
  const withFixture = (test: (f: PresenceStoreFixture) => Promise<void>) => async () => {
    const f = await harness.create();
    try {
      await test(f);
    } finally {
      await f.dispose();
    }
  };

  describe(`PresenceStore contract: ${name}`, () => {
    it(
      'sets and gets records; users with no record are absent',
      withFixture(async ({ store }) => {
        const inGame: PresenceRecord = { status: PresenceStatus.IN_GAME, zoneId: 'forest', statusMessage: 'questing ✓', nodeId: 'node-a', lastSeenMs: 1_234 };
        await store.set('u1', online('node-a'), LONG_TTL_MS);
        await store.set('u2', inGame, LONG_TTL_MS);
        const got = await store.get(['u1', 'u2', 'nobody']);
        expect([...got.keys()].sort()).toEqual(['u1', 'u2']);
        expect(got.get('u1')).toEqual(online('node-a'));
        expect(got.get('u2')).toEqual(inGame);
        expect((await store.get([])).size).toBe(0);
        await store.set('u1', { ...online('node-b'), status: PresenceStatus.AWAY }, LONG_TTL_MS);
        expect((await store.get(['u1'])).get('u1')).toMatchObject({ status: 'away', nodeId: 'node-b' });
      }),
    );

    it(
      'announces writes and deletes on the feed, deletes once',
      withFixture(async ({ store }) => {
        const feed = new FeedRecorder(store);
        await store.set('u1', online('node-a', 7), LONG_TTL_MS);
        expect((await feed.waitFor(is('u1', 'set'))).record).toEqual(online('node-a', 7));
        expect(await store.delete('u1', { lastSeenMs: 99 })).toBe(true);
        const gone = await feed.waitFor(is('u1', 'delete'));
        expect(gone.record).toEqual({ status: 'offline', zoneId: '', statusMessage: '', nodeId: '', lastSeenMs: 99 });
        expect((await store.get(['u1'])).size).toBe(0);
        expect(await store.delete('u1')).toBe(false);
        feed.stop();
      }),
    );

    it(
      'deletes with a node id only the record of that node',
      withFixture(async ({ store }) => {
        const feed = new FeedRecorder(store);
        await store.set('u1', online('node-b'), LONG_TTL_MS);
        expect(await store.delete('u1', { nodeId: 'node-a' })).toBe(false);
        // Feed order follows write order: once the marker arrives, a wrong delete would have too.
        await store.set('marker', online('node-a'), LONG_TTL_MS);
        await feed.waitFor(is('marker', 'set'));
        expect(feed.count(is('u1', 'delete'))).toBe(0);
        expect((await store.get(['u1'])).get('u1')?.nodeId).toBe('node-b');
        expect(await store.delete('u1', { nodeId: 'node-b' })).toBe(true);
        feed.stop();
      }),
    );

    it(
      'reports a user whose time to live ran out as offline',
      withFixture(async (f) => {
        const feed = new FeedRecorder(f.store);
        await f.store.set('u1', online('node-a'), f.shortTtlMs);
        expect((await f.store.get(['u1'])).size).toBe(1);
        f.passTime(f.shortTtlMs + f.sweepIntervalMs);
        const expired = await feed.waitFor(is('u1', 'expire'));
        expect(expired.record).toMatchObject({ status: 'offline', zoneId: '', statusMessage: '', nodeId: '' });
        expect(expired.record.lastSeenMs).toBeGreaterThan(0);
        expect((await f.store.get(['u1'])).size).toBe(0);
        feed.stop();
      }),
    );

    it(
      'refresh keeps a user of its node alive and returns the users with no record',
      withFixture(async (f) => {
        const feed = new FeedRecorder(f.store);
        await f.store.set('kept', online('node-a'), f.shortTtlMs);
        await f.store.set('sentinel', online('node-a'), f.shortTtlMs);
        await f.store.set('foreign', online('node-b'), f.shortTtlMs);
        expect(await f.store.refresh('node-a', ['kept', 'foreign', 'ghost'], LONG_TTL_MS)).toEqual(['ghost']);
        f.passTime(f.shortTtlMs + f.sweepIntervalMs);
        await feed.waitFor(is('sentinel', 'expire'));
        // Another node's user is not kept alive by this node's refresh.
        await feed.waitFor(is('foreign', 'expire'));
        expect(feed.count(is('kept', 'expire'))).toBe(0);
        expect((await f.store.get(['kept'])).get('kept')?.status).toBe('online');
        expect(await f.store.refresh('node-a', [], LONG_TTL_MS)).toEqual([]);
        feed.stop();
      }),
    );

    it(
      'delivers changes made on another instance, in both directions',
      withFixture(async (f) => {
        const peer = await f.peer();
        await peer.ready();
        const here = new FeedRecorder(f.store);
        const there = new FeedRecorder(peer);
        await peer.set('u1', { ...online('node-b'), status: PresenceStatus.BUSY, statusMessage: 'raid' }, LONG_TTL_MS);
        expect((await here.waitFor(is('u1', 'set'))).record).toMatchObject({ status: 'busy', statusMessage: 'raid', nodeId: 'node-b' });
        expect((await f.store.get(['u1'])).get('u1')?.status).toBe('busy');
        await f.store.delete('u1');
        await there.waitFor(is('u1', 'delete'));
        here.stop();
        there.stop();
      }),
    );

    it(
      'announces an expiry once, even with several instances sweeping',
      withFixture(async (f) => {
        const peer = await f.peer();
        await peer.ready();
        const feed = new FeedRecorder(f.store);
        await peer.set('u1', online('node-dead'), f.shortTtlMs);
        f.passTime(f.shortTtlMs + f.sweepIntervalMs);
        await feed.waitFor(is('u1', 'expire'));
        // Let both instances sweep a few more times, then check with an ordered marker.
        f.passTime(3 * f.sweepIntervalMs);
        await f.store.set('marker', online('node-a'), f.shortTtlMs);
        f.passTime(f.shortTtlMs + f.sweepIntervalMs);
        await feed.waitFor(is('marker', 'expire'));
        expect(feed.count(is('u1', 'expire'))).toBe(1);
        feed.stop();
      }),
    );

    it(
      'tells every listener of every change in write order, even when a listener writes',
      withFixture(async ({ store }) => {
        const writer = store.subscribe((c) => {
          if (c.userId === 'first') void store.set('second', online('node-a'), LONG_TTL_MS);
        });
        const feed = new FeedRecorder(store);
        await store.set('first', online('node-a'), LONG_TTL_MS);
        await feed.waitFor(is('second', 'set'));
        expect(feed.changes.map((c) => c.userId)).toEqual(['first', 'second']);
        writer();
        feed.stop();
      }),
    );

    it(
      'stops delivering to an unsubscribed listener',
      withFixture(async ({ store }) => {
        const kept = new FeedRecorder(store);
        const dropped = new FeedRecorder(store);
        dropped.stop();
        await store.set('u1', online('node-a'), LONG_TTL_MS);
        await kept.waitFor(is('u1', 'set'));
        expect(dropped.changes).toEqual([]);
        kept.stop();
      }),
    );
  });
}
