import { ManualClock } from '@mmo/protocol';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { decodeBusMessage, encodeBusMessage, encodeNodeId } from './bus-codec.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import { describeCluster } from './cluster-status.js';
import { InProcessClusterBus } from './in-process-cluster-bus.js';
import { MemoryNodeRegistry } from './memory-node-registry.js';
import { MemoryZoneLeases } from './memory-zone-leases.js';
import type { NodeRegistry } from './node-registry.js';
import { flush } from './test-helpers.js';
import { ZoneOwnership } from './zone-ownership.js';

describe('bus codec', () => {
  it('round-trips any bytes and JSON object from any node id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.oneof(fc.uint8Array(), fc.dictionary(fc.string(), fc.jsonValue())), (nodeId, message) => {
        const decoded = decodeBusMessage(encodeBusMessage(encodeNodeId(nodeId), message));
        expect(decoded?.from).toBe(nodeId);
        if (message instanceof Uint8Array) expect([...(decoded!.message as Uint8Array)]).toEqual([...message]);
        else expect(decoded!.message).toEqual(JSON.parse(JSON.stringify(message)));
      }),
    );
  });

  it('never throws on garbage, only refuses it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const decoded = decodeBusMessage(bytes);
        if (decoded !== undefined) expect(decoded.message).toBeTypeOf('object');
      }),
    );
    expect(decodeBusMessage(Uint8Array.of(2, 0, 0x22, 0x78, 0x22))).toBeUndefined(); // JSON "x": not an object
    expect(() => encodeNodeId('')).toThrow(RangeError);
    expect(() => encodeNodeId('x'.repeat(256))).toThrow(RangeError);
  });
});

describe('cluster metrics and status', () => {
  it('exports bus, membership and ownership figures at scrape time', async () => {
    const clock = new ManualClock(0);
    const bus = new InProcessClusterBus({ nodeId: 'gw-1' });
    const nodes = new MemoryNodeRegistry(clock);
    const leases = new MemoryZoneLeases(clock);
    const ownership = new ZoneOwnership({ leases, nodeId: 'gw-1', zones: ['z1', 'z2'], clock });
    await leases.acquire('z2', 'gw-2', 60_000);
    await nodes.heartbeat({ nodeId: 'gw-1', address: 'a', startedAt: 0, connections: 4 }, 0, 60_000);
    await nodes.heartbeat({ nodeId: 'gw-2', address: 'b', startedAt: 0, connections: 1 }, 0, 60_000);
    const registry = new Registry();
    registerClusterMetrics(registry, { bus, nodes, ownership });
    ownership.start();
    await flush();
    bus.subscribe('t', () => {});
    await bus.publish('t', {});
    await bus.publish('t', {});
    await flush();
    await bus.publish('t', 'bad' as unknown as object).catch(() => {});
    const text = await registry.metrics();
    expect(text).toContain('mmo_cluster_bus_healthy 1');
    expect(text).toContain('mmo_cluster_bus_messages_total{direction="out"} 2');
    expect(text).toContain('mmo_cluster_bus_messages_total{direction="in"} 2');
    expect(text).toContain('mmo_cluster_bus_publish_failures_total 1');
    expect(text).toContain('mmo_cluster_nodes 2');
    expect(text).toContain('mmo_cluster_node_connections{node_id="gw-1"} 4');
    expect(text).toContain('mmo_cluster_zone_owned{zone="z1"} 1');
    expect(text).toContain('mmo_cluster_zone_owned{zone="z2"} 0');
    expect(text).toContain('mmo_cluster_zone_ownership_changes_total{event="acquired",reason=""} 1');
    // Counters are not counted twice by a second scrape.
    expect(await registry.metrics()).toContain('mmo_cluster_bus_messages_total{direction="out"} 2');

    const status = await describeCluster({ nodeId: 'gw-1', bus, nodes, leases, zones: ownership.configuredZones() });
    expect(status).toMatchObject({
      nodeId: 'gw-1',
      busHealthy: true,
      members: [{ nodeId: 'gw-1' }, { nodeId: 'gw-2' }],
      zones: [
        { zoneId: 'z1', owner: { nodeId: 'gw-1', token: 1 } },
        { zoneId: 'z2', owner: { nodeId: 'gw-2' } },
      ],
      errors: [],
    });
    await ownership.stop();
    await bus.close();
  });

  it('reports what it cannot read instead of failing', async () => {
    const down: NodeRegistry = {
      heartbeat: () => Promise.reject(new Error('down')),
      remove: () => Promise.reject(new Error('down')),
      members: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const status = await describeCluster({ nodeId: 'gw-1', nodes: down });
    expect(status).toEqual({ nodeId: 'gw-1', busHealthy: null, members: [], zones: [], errors: ['members: ECONNREFUSED'] });
    const registry = new Registry();
    registerClusterMetrics(registry, { nodes: down });
    await expect(registry.metrics()).resolves.toContain('mmo_cluster_nodes 0');
  });
});
