/**
 * The client rides through repeated connection resets and stalls (a faulty TCP proxy between it and
 * a real gateway): every reliable message, in both directions, arrives exactly once and in order,
 * and every reconnect resumes the same session. Checked with @mmo/testing's DeliveryChecker, whose
 * ids are the test's own numbering, not protocol sequences.
 */
import { MessageType } from '@mmo/protocol';
import { DeliveryChecker, FaultyProxy } from '@mmo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectedEvent } from '../src/index.js';
import { gameRegistry, nodeClient, signToken, startGateway, until } from './gateway-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('client through a faulty link', () => {
  it('delivers both reliable streams exactly once, in order, through resets and stalls', async () => {
    const { registry, Act } = gameRegistry();
    // Generous inbound limits: this test floods on purpose (a resume resends a burst).
    const { gateway, port } = await startGateway({ registry, connection: { rateLimits: { defaultLimit: { burst: 1_000, perSecond: 1_000 } } } });
    cleanups.push(() => gateway.close());
    const proxy = await FaultyProxy.start(port);
    cleanups.push(() => proxy.close());
    const up = new DeliveryChecker();
    const down = new DeliveryChecker();
    gateway.router.on(Act, (ctx) => up.recordDelivered(ctx.payload.n));

    const client = nodeClient({
      url: `ws://127.0.0.1:${proxy.port}/ws`,
      registry,
      getToken: () => signToken('frank'),
      // A stalled link is noticed by silence: heartbeat every 100 ms, dead after 400 ms.
      connection: { heartbeatIntervalMs: 100, serverSilenceTimeoutMs: 400 },
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
      // Backlog flushes are paced for the gateway's default budget (30/s); this gateway allows
      // 1000/s and the test sends ~200/s, so the client is told the same.
      outbound: { flushBurstMessages: 500, flushMessagesPerSecond: 1_000 },
    });
    cleanups.push(() => client.disconnect());
    const connected: ConnectedEvent[] = [];
    client.on('connected', (e) => connected.push(e));
    client.onMessage(MessageType.FRIEND_STATUS, (s) => down.recordDelivered(Number(s.friendId)));
    const { sessionId } = await client.connect();

    let running = true;
    const total = { up: 0, down: 0 };
    const sender = (async () => {
      while (running) {
        const n = ++total.up;
        up.recordSent(n);
        void client.send(Act, { n }).then(
          () => up.recordAcknowledged(n),
          () => {},
        );
        const k = ++total.down;
        down.recordSent(k);
        // The result is ignored on purpose: the gateway answers false when its write queue
        // overflows during a stall, although the reliable message is already in the outbox.
        gateway.sendToSession(sessionId, MessageType.FRIEND_STATUS, { friendId: String(k) });
        await sleep(5);
      }
    })();
    for (const fault of ['reset', 'stall', 'reset', 'reset', 'stall', 'reset']) {
      await sleep(250);
      if (fault === 'reset') proxy.resetAll();
      else proxy.stall();
      const before = connected.length;
      await until(() => connected.length > before, 10_000, `the resume after a ${fault}`);
    }
    running = false;
    await sender;
    await until(() => up.report().delivered === total.up && down.report().delivered === total.down, 10_000, 'both streams to drain');

    expect(up.report()).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, delivered: total.up });
    expect(down.report()).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, delivered: total.down });
    await until(() => up.report().acknowledged === total.up, 5_000, 'every send to resolve');
    expect(connected.length).toBe(7);
    expect(connected.slice(1).every((c) => c.resumed && c.sessionId === sessionId)).toBe(true);
    expect(total.up).toBeGreaterThan(100);
    expect(client.stats.snapshot().reconnects).toBe(6);
  });
});
