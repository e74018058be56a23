// TIME_SYNC in cluster mode: each player is answered with the tick of its own zone, whether this
// node simulates that zone or another node does (then from the owner's announcement, advanced by the
// clock). Two nodes in one process on an in-process bus, real gateways and sockets, one manual clock
// for every zone loop, lease and announcement, so the two zones' ticks are known exactly.
import { ManualClock, MessageType } from '@mmo/protocol';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClusterZones,
  createSyncMetrics,
  InProcessClusterBus,
  InProcessClusterHub,
  MemoryNodeRegistry,
  MemoryZoneLeases,
  ZoneOwnership,
  type ClusterZones,
  type Gateway,
} from '../src/index.js';
import { until } from '../src/cluster/test-helpers.js';
import { connect, registry, signToken, startGateway, type TestClient } from './helpers.js';

const TICK_RATE = 20;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Node {
  gateway: Gateway;
  url: string;
  zones: ClusterZones;
}

async function startNode(nodeId: string, mayOwn: string[], shared: { clock: ManualClock; hub: InProcessClusterHub; leases: MemoryZoneLeases; nodes: MemoryNodeRegistry }): Promise<Node> {
  const { gateway, url } = await startGateway({ nodeId });
  const bus = new InProcessClusterBus({ hub: shared.hub, nodeId });
  const ownership = new ZoneOwnership({ leases: shared.leases, nodeId, zones: mayOwn, clock: shared.clock });
  const zones = createClusterZones({
    gateway,
    bus,
    ownership,
    nodes: shared.nodes,
    nodeId,
    zones: ['z1', 'z2'],
    tickRate: TICK_RATE,
    metrics: createSyncMetrics(new Registry()),
    clock: shared.clock,
  });
  ownership.start();
  cleanups.push(async () => {
    zones.stop();
    await ownership.stop({ release: true });
    await bus.close();
    await gateway.close();
  });
  return { gateway, url, zones };
}

async function serverTickFor(client: TestClient): Promise<number> {
  client.send({ type: MessageType.TIME_SYNC, payload: registry.pack(MessageType.TIME_SYNC, { clientTime: Date.now() }) });
  const answer = registry.unpack(MessageType.TIME_SYNC, (await client.next(MessageType.TIME_SYNC)).payload);
  expect(answer.tickRate).toBe(TICK_RATE);
  return answer.serverTick;
}

describe('TIME_SYNC in cluster mode', () => {
  it('answers each player with its own zone’s tick: the local loop’s, or the remote owner’s advanced by the clock', async () => {
    const clock = new ManualClock(1_000_000);
    const shared = { clock, hub: new InProcessClusterHub(), leases: new MemoryZoneLeases(clock), nodes: new MemoryNodeRegistry(clock) };
    // Node A may simulate z1 only, node B z2 only; both know both zones.
    const a = await startNode('gw-a', ['z1'], shared);
    await until(() => a.zones.hosted().includes('z1'), 5_000, 'node A to host z1');
    clock.advance(1000); // z1 runs 20 ticks before z2 starts
    const b = await startNode('gw-b', ['z2'], shared);
    await until(() => b.zones.hosted().includes('z2'), 5_000, 'node B to host z2');
    await until(() => a.zones.ownerOf('z2') === 'gw-b', 5_000, 'node A to hear of z2’s owner');
    clock.advance(250);

    // Both players are on node A: one in A's own zone, one in B's.
    const inZ1 = await connect(a.url, { token: await signToken('ann', { zone: 'z1' }) });
    cleanups.push(() => inZ1.close());
    const inZ2 = await connect(a.url, { token: await signToken('bob', { zone: 'z2' }) });
    cleanups.push(() => inZ2.close());
    await inZ1.handshake();
    await inZ2.handshake();
    expect(await serverTickFor(inZ1)).toBe(25);
    expect(await serverTickFor(inZ2)).toBe(5);

    // Time goes on without a new announcement: the remote zone's tick is advanced by the clock.
    clock.advance(500);
    expect(await serverTickFor(inZ1)).toBe(35);
    expect(await serverTickFor(inZ2)).toBe(15);
  });
});
