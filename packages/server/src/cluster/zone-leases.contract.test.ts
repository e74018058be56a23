import { type Clock, ManualClock, systemClock } from '@mmo/protocol';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryZoneLeases } from './memory-zone-leases.js';
import { RedisZoneLeases } from './redis-zone-leases.js';
import { deletePrefix, flush, nextEvent, testPrefix, testRedis, until, within } from './test-helpers.js';
import type { ZoneLeases } from './zone-leases.js';
import { ZoneOwnership } from './zone-ownership.js';

// Several connections, so "nodes" of the Redis backend race for real instead of queueing on one socket.
const connections = [testRedis(), testRedis(), testRedis(), testRedis()];
const admin = connections[0]!;
const prefixes: string[] = [];
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deletePrefix(admin, p);
});
afterAll(async () => {
  for (const c of connections) await c.quit();
});

interface Backend {
  /** A handle of the shared lease store for one more node. */
  node: () => ZoneLeases;
  clock: Clock;
  /** TTL short enough to wait out for real on Redis; 1 s on the manual clock. */
  ttlMs: number;
  /** Lets the TTL run out: advances the manual clock, or waits (bounded) until `done()` on Redis. */
  expire: (done: () => Promise<boolean>) => Promise<void>;
  /** Moves time for ZoneOwnership timers (manual clock only; Redis runs on real time). */
  advance: (ms: number) => Promise<void>;
}

const backends: Array<[string, () => Backend]> = [
  [
    'memory',
    () => {
      const clock = new ManualClock(0);
      const store = new MemoryZoneLeases(clock);
      const advance = async (ms: number) => {
        clock.advance(ms);
        await flush();
      };
      return { node: () => store, clock, ttlMs: 1_000, expire: () => advance(1_000), advance };
    },
  ],
  [
    'redis',
    () => {
      const keyPrefix = testPrefix();
      prefixes.push(keyPrefix);
      let next = 0;
      return {
        node: () => new RedisZoneLeases(connections[next++ % connections.length]!, { keyPrefix }),
        clock: systemClock,
        ttlMs: 400,
        expire: (done) => until(done, 3_000, 'lease expiry'),
        advance: () => flush(),
      };
    },
  ],
];

describe.each(backends)('ZoneLeases contract: %s', (_name, make) => {
  it('gives a free zone to one node; others are refused until it is released', async () => {
    const { node } = make();
    const [a, b] = [node(), node()];
    const lease = await a.acquire('forest', 'node-a', 60_000);
    expect(lease).toMatchObject({ zoneId: 'forest', nodeId: 'node-a' });
    expect(await b.acquire('forest', 'node-b', 60_000)).toBeUndefined();
    const owner = await b.owner('forest');
    expect(owner).toMatchObject({ zoneId: 'forest', nodeId: 'node-a', token: lease!.token });
    expect(owner!.remainingMs).toBeGreaterThan(0);
    expect(owner!.remainingMs).toBeLessThanOrEqual(60_000);
    expect(await a.acquire('forest', 'node-a', 60_000)).toEqual(lease); // re-entrant: same token
    expect(await b.release({ ...lease!, nodeId: 'node-b' })).toBe(false);
    expect(await a.release(lease!)).toBe(true);
    expect(await b.owner('forest')).toBeUndefined();
    expect(await b.acquire('forest', 'node-b', 60_000)).toMatchObject({ nodeId: 'node-b' });
  });

  it('renews only the exact lease (node and token)', async () => {
    const { node } = make();
    const a = node();
    const lease = (await a.acquire('z', 'node-a', 60_000))!;
    expect(await a.renew(lease, 60_000)).toBe(true);
    expect(await a.renew({ ...lease, token: lease.token - 1 }, 60_000)).toBe(false);
    expect(await a.renew({ ...lease, nodeId: 'node-b' }, 60_000)).toBe(false);
    expect(await a.renew({ ...lease, zoneId: 'other' }, 60_000)).toBe(false);
    await a.release(lease);
    expect(await a.renew(lease, 60_000)).toBe(false);
  });

  it('increases the fencing token on every new acquisition, never on a re-entrant one', async () => {
    const { node } = make();
    const [a, b] = [node(), node()];
    const tokens: number[] = [];
    for (let i = 0; i < 6; i++) {
      const store = i % 2 === 0 ? a : b;
      const lease = (await store.acquire('fenced', `node-${i % 3}`, 60_000))!;
      expect(await store.acquire('fenced', `node-${i % 3}`, 60_000)).toEqual(lease);
      tokens.push(lease.token);
      await store.release(lease);
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
    // Tokens are per zone, but never go back for a zone.
    const other = (await a.acquire('elsewhere', 'node-0', 60_000))!;
    expect(Number.isSafeInteger(other.token)).toBe(true);
  });

  it('lets another node take over when the owner stops renewing; the old lease is dead', async () => {
    const { node, ttlMs, expire } = make();
    const [a, b] = [node(), node()];
    const old = (await a.acquire('keep', 'node-a', ttlMs))!;
    await expire(async () => (await b.owner('keep')) === undefined);
    const taken = await b.acquire('keep', 'node-b', 60_000);
    expect(taken).toBeDefined();
    expect(taken!.token).toBeGreaterThan(old.token);
    expect(await a.renew(old, 60_000)).toBe(false);
    expect(await a.release(old)).toBe(false); // a late release does not free the new owner's zone
    expect(await a.owner('keep')).toMatchObject({ nodeId: 'node-b', token: taken!.token });
  });

  it('has exactly one owner when several nodes race for a zone', async () => {
    const { node } = make();
    const stores = [node(), node(), node(), node()];
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.boolean(), async (contenders, preheld) => {
        const zone = `race-${round++}`;
        let previous: number | undefined;
        if (preheld) {
          // The zone had an owner that just left: its token must be beaten.
          const first = (await stores[0]!.acquire(zone, 'leaver', 60_000))!;
          await stores[0]!.release(first);
          previous = first.token;
        }
        const results = await Promise.all(
          Array.from({ length: contenders }, (_, i) => stores[i % stores.length]!.acquire(zone, `n${i}`, 60_000)),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        const owner = await stores[1]!.owner(zone);
        expect(owner).toMatchObject({ nodeId: winners[0]!.nodeId, token: winners[0]!.token });
        if (previous !== undefined) expect(winners[0]!.token).toBeGreaterThan(previous);
        // The losers keep being refused while it holds.
        for (let i = 0; i < contenders; i++) {
          if (`n${i}` === winners[0]!.nodeId) continue;
          expect(await stores[(i + 1) % stores.length]!.acquire(zone, `n${i}`, 60_000)).toBeUndefined();
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe.each(backends)('ZoneOwnership over %s leases', (_name, make) => {
  const started: ZoneOwnership[] = [];
  afterEach(async () => {
    for (const o of started.splice(0)) await o.stop({ release: false });
  });

  function ownership(backend: Backend, nodeId: string, zones: string[]): ZoneOwnership {
    const o = new ZoneOwnership({
      leases: backend.node(),
      nodeId,
      zones,
      clock: backend.clock,
      leaseTtlMs: backend.ttlMs,
      renewIntervalMs: backend.ttlMs / 4,
    });
    started.push(o);
    return o;
  }

  it('takes free zones, keeps them by renewing, and hands them over when its node dies', async () => {
    const backend = make();
    const a = ownership(backend, 'node-a', ['z1', 'z2']);
    const b = ownership(backend, 'node-b', ['z1', 'z2']);
    const acquiredByA: Array<[string, number]> = [];
    a.on('acquired', (zone, token) => acquiredByA.push([zone, token]));
    const bothA = nextEvent(a, 'acquired', () => acquiredByA.length === 2);
    a.start();
    await backend.advance(0);
    await within(bothA, 3_000, 'node a to own both zones');
    b.start();
    // Several rounds, past one TTL: a keeps both by renewing, b never gets one.
    const bAcquired: string[] = [];
    b.on('acquired', (zone) => bAcquired.push(zone));
    for (let i = 0; i < 8; i++) await backend.advance(backend.ttlMs / 4);
    if (backend.clock === systemClock) await until(async () => (await backend.node().owner('z1'))?.remainingMs !== undefined, 1_000, 'owner');
    expect(bAcquired).toEqual([]);
    expect(a.owned().map((l) => l.zoneId).sort()).toEqual(['z1', 'z2']);

    // Node a dies: no release, no more renews.
    const lost: string[] = [];
    a.on('lost', (zone, reason) => lost.push(`${zone}:${reason}`));
    await a.stop({ release: false });
    expect(lost.sort()).toEqual(['z1:stopped', 'z2:stopped']);
    const bothB = nextEvent(b, 'acquired', () => bAcquired.length === 2);
    for (let i = 0; i < 8 && bAcquired.length < 2; i++) await backend.advance(backend.ttlMs / 4);
    await within(bothB, 5_000, 'node b to take both zones over');
    for (const lease of b.owned()) {
      const before = acquiredByA.find(([zone]) => zone === lease.zoneId)![1];
      expect(lease.token).toBeGreaterThan(before);
      expect(b.tokenOf(lease.zoneId)).toBe(lease.token);
    }
  });

  it('a graceful stop releases: the next round of another node takes the zone at once', async () => {
    const backend = make();
    const a = ownership(backend, 'node-a', ['z']);
    const b = ownership(backend, 'node-b', ['z']);
    const aHas = nextEvent<[string, number]>(a, 'acquired');
    a.start();
    await backend.advance(0);
    await within(aHas, 3_000, 'a acquires');
    b.start();
    await backend.advance(0);
    expect(b.isOwner('z')).toBe(false);
    const released = nextEvent(a, 'lost');
    const bHas = nextEvent(b, 'acquired');
    await a.stop();
    expect((await released)[1]).toBe('released');
    await b.round(); // no need to wait for a TTL
    await within(bHas, 3_000, 'b acquires');
  });

  it('reports lost (taken) when the store says another node holds its zone', async () => {
    const backend = make();
    const a = ownership(backend, 'node-a', ['z']);
    const aHas = nextEvent<[string, number]>(a, 'acquired');
    a.start();
    await backend.advance(0);
    const [, token] = await within(aHas, 3_000, 'a acquires');
    // An operator (or a split brain) moves the lease behind a's back.
    const store = backend.node();
    expect(await store.release({ zoneId: 'z', nodeId: 'node-a', token })).toBe(true);
    await store.acquire('z', 'node-x', 60_000);
    const lost = nextEvent(a, 'lost');
    await a.round();
    expect(await within(lost, 3_000, 'lost')).toEqual(['z', 'taken']);
    expect(a.isOwner('z')).toBe(false);
  });
});

describe('ZoneOwnership timing', () => {
  it('drops a zone as expired on its own clock when no renew succeeds within the TTL', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryZoneLeases(clock);
    let down = false;
    const flaky: ZoneLeases = {
      acquire: (...args) => (down ? Promise.reject(new Error('ECONNREFUSED')) : store.acquire(...args)),
      renew: (...args) => (down ? new Promise(() => {}) : store.renew(...args)), // a reply that never comes
      release: (lease) => store.release(lease),
      owner: (zone) => store.owner(zone),
    };
    const o = new ZoneOwnership({ leases: flaky, nodeId: 'a', zones: ['z'], clock, leaseTtlMs: 1_000, renewIntervalMs: 300 });
    const events: string[] = [];
    o.on('acquired', (zone, token) => events.push(`acquired ${zone} ${token}`));
    o.on('lost', (zone, reason) => events.push(`lost ${zone} ${reason}`));
    o.start();
    await flush();
    clock.advance(300); // renewed at t=300: good until 1300
    await flush();
    down = true;
    clock.advance(300); // t=600: this renew hangs
    await flush();
    clock.advance(699);
    await flush();
    expect(events).toEqual(['acquired z 1']);
    clock.advance(1); // t=1300
    await flush();
    expect(events).toEqual(['acquired z 1', 'lost z expired']);
    // The store's own lease ran out at the same time: another node could take it now, never both.
    expect(await store.owner('z')).toBeUndefined();
    await store.acquire('z', 'b', 500);
    clock.advance(500);
    await flush();
    await o.stop();
  });

  it('releases zones dropped from its list, and refuses a renew interval not below the TTL', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryZoneLeases(clock);
    const o = new ZoneOwnership({ leases: store, nodeId: 'a', zones: ['x', 'y'], clock, leaseTtlMs: 1_000, renewIntervalMs: 300 });
    o.start();
    await flush();
    expect(o.owned()).toHaveLength(2);
    const lost = nextEvent(o, 'lost');
    await o.setZones(['x']);
    expect(await lost).toEqual(['y', 'released']);
    expect(await store.owner('y')).toBeUndefined();
    expect(o.configuredZones()).toEqual(['x']);
    await o.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(() => new ZoneOwnership({ leases: store, nodeId: 'a', zones: [], leaseTtlMs: 1_000, renewIntervalMs: 1_000 })).toThrow(/renewIntervalMs/);
  });
});
