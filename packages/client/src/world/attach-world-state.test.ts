// attachWorldState on a real client (createMmoClient over the in-process fake gateway) with a real
// @mmo/server Zone producing the world stream: messages, self from AUTH_RESULT, reset on every
// `connected`, and a payload that does not decode.
import { CloseCode, encodeMessage, ManualClock, MessageType } from '@mmo/protocol';
import { Zone, type ViewerSink } from '@mmo/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeServer, type FakeConnection } from '../../test/fake-server.js';
import { expectSameView, rng, TICK_MS, walkers } from '../../test/world-harness.js';
import { createMmoClient } from '../client.js';
import { attachWorldState } from './attach-world-state.js';
import { createWorldState } from './world-state.js';

/** A viewer sink that writes the zone's messages to a fake gateway connection. */
function sinkOf(conn: FakeConnection): ViewerSink {
  return {
    backlogBytes: 0,
    sendState: (type, payload) => (conn.sendVolatile(type, payload), true),
    sendVolatile: (type, payload) => (conn.sendVolatile(type, payload), true),
    sendReliable: () => true,
  };
}

function setup() {
  const clock = new ManualClock(1_700_000_000_000);
  const fake = new FakeServer(clock);
  const client = createMmoClient({ url: 'ws://fake.test/ws', token: 'jwt', transport: fake.factory, clock, random: () => 0.5, registry: fake.registry });
  const zone = new Zone({ id: 'start', tickIntervalMs: TICK_MS, logger: pino({ level: 'silent' }), interest: { enterRadius: 60 } });
  const move = walkers(zone, 40, 50, rng(17));
  // The fake gateway says the user is 'u1'.
  const player = zone.joinPlayer('u1', 'session-u1');
  const world = createWorldState();
  const detach = attachWorldState(client, world);
  let tick = 0;
  const step = (ticks: number) => {
    for (let i = 0; i < ticks; i++) {
      move();
      tick++;
      zone.step(tick, clock.now());
      clock.advance(TICK_MS);
    }
  };
  return { clock, fake, client, zone, player, world, detach, step };
}

describe('attachWorldState', () => {
  it('feeds the world from the client, takes self from AUTH_RESULT, and restarts the view on a resume', async () => {
    const { clock, fake, client, zone, player, world, step } = setup();
    const exits: string[] = [];
    world.on('entityExited', ({ reason }) => exits.push(reason));
    const resumed: boolean[] = [];
    client.on('connected', (e) => resumed.push(e.resumed));
    const ready = client.connect();
    clock.advance(0);
    await ready;
    zone.attachViewer(player, sinkOf(fake.last));
    step(20);
    expect(world.selfPlayerId).toBe('u1');
    expect(world.size).toBeGreaterThan(3);
    expectSameView(zone, player, world, 'u1');

    // The socket drops; the client resumes on a new connection and the server starts the view over.
    const before = world.size;
    fake.last.closeNow(CloseCode.ABNORMAL, 'network');
    zone.detachViewer(player);
    clock.advance(2_000);
    expect(resumed).toEqual([false, true]);
    expect(exits.filter((r) => r === 'reset')).toHaveLength(before);
    expect(world.size).toBe(0);
    zone.attachViewer(player, sinkOf(fake.last));
    step(20);
    expectSameView(zone, player, world, 'u1');
  });

  it('a world payload that does not decode is a desync; the next connection recovers', async () => {
    const { clock, fake, client, zone, player, world, step } = setup();
    const reasons: string[] = [];
    world.on('desync', ({ error }) => reasons.push(error.reason));
    const ready = client.connect();
    clock.advance(0);
    await ready;
    zone.attachViewer(player, sinkOf(fake.last));
    step(5);
    // Not a protobuf message: field 7 (packed) with a length running past the end.
    fake.last.writeRaw(encodeMessage({ type: MessageType.WORLD_DELTA, sequence: 0, payload: Uint8Array.of(0x3a, 0x7f, 0x01), timestamp: clock.now() }));
    clock.advance(0);
    expect(reasons).toEqual(['decode']);
    expect(world.needsResync).toBe(true);
    step(3);
    expect(world.size).toBe(0);
    fake.last.closeNow(CloseCode.ABNORMAL, 'network');
    clock.advance(2_000);
    expect(world.needsResync).toBe(false);
    zone.attachViewer(player, sinkOf(fake.last));
    step(5);
    expectSameView(zone, player, world, 'u1');
  });

  it('keeps a selfPlayerId the game gave, and detaching stops the feed', async () => {
    const { clock, fake, client, zone, player, detach } = setup();
    const world = createWorldState({ selfPlayerId: 'someone-else' });
    const stop = attachWorldState(client, world);
    const ready = client.connect();
    clock.advance(0);
    await ready;
    expect(world.selfPlayerId).toBe('someone-else');
    zone.attachViewer(player, sinkOf(fake.last));
    stop();
    detach();
    zone.step(1, clock.now());
    clock.advance(0);
    expect(world.visibleIds).toEqual([]);
    expect(client.dispatcher.handlerCount(MessageType.WORLD_DELTA)).toBe(0);
  });
});
