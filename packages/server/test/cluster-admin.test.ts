import { randomUUID } from 'node:crypto';
import { CloseCode, MessageType } from '@mmo/protocol';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { attachCluster, type ClusterNode, type Gateway, RedisSessionStore } from '../src/index.js';
import { connect, httpCall, httpGet, registry, signToken, startGateway } from './helpers.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ADMIN = 'admin-token-for-tests-0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function node(nodeId: string, prefix: string | undefined) {
  const redis = prefix === undefined ? undefined : new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  redis?.on('error', () => {});
  const started = await startGateway({
    nodeId,
    adminToken: ADMIN,
    session: { resumeTokenSecret: 'shared-resume-secret-0123456789-abcdef' },
    ...(redis === undefined || prefix === undefined ? {} : { sessionStore: new RedisSessionStore(redis, { keyPrefix: prefix }) }),
  });
  const cluster: ClusterNode = attachCluster(started.gateway, {
    nodeId,
    zoneLeaseTtlMs: 1500,
    nodeTtlMs: 1500,
    presenceTtlMs: 1500,
    ...(redis === undefined || prefix === undefined ? {} : { redis, keyPrefix: prefix }),
  });
  cleanup.push(async () => {
    await started.gateway.close();
    await cluster.close();
    await redis?.quit();
  });
  return { ...started, cluster };
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('admin API of a cluster node', () => {
  it('GET /admin/cluster shows members and the zone owner; kick and drain reach other nodes', async () => {
    const prefix = `test:${randomUUID().slice(0, 8)}:`;
    const one = await node('admin-1', prefix);
    const two = await node('admin-2', prefix);
    await until('both members and an owner', async () => {
      const view = JSON.parse((await httpGet(`${one.http}/admin/cluster`, auth)).body) as { members: unknown[]; zones: { owner: unknown }[] };
      return view.members.length === 2 && view.zones[0]?.owner != null;
    });
    const metrics = (await httpGet(`${two.http}/metrics`)).body;
    expect(metrics).toContain('mmo_cluster_bus_healthy 1');
    expect(metrics).toMatch(/mmo_cluster_zone_owned\{zone="default"\} [01]/);

    // A user on node two, kicked through node one.
    const victim = await connect(two.url, { token: await signToken('victim') });
    await victim.handshake();
    const kick = await httpCall('POST', `${one.http}/admin/kick`, auth, JSON.stringify({ userId: 'victim', reason: 'testing' }));
    expect(JSON.parse(kick.body)).toEqual({ kicked: 0, published: true });
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await victim.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.KICKED, reconnect: false });

    // Node two drained from node one; node one keeps serving.
    const other = await connect(two.url, { token: await signToken('other') });
    await other.handshake();
    const drain = await httpCall('POST', `${one.http}/admin/drain`, auth, JSON.stringify({ nodeId: 'admin-2' }));
    expect(drain.status).toBe(202);
    expect((await other.waitClosed()).code).toBe(CloseCode.GOING_AWAY);
    expect((await httpGet(`${one.http}/readyz`)).status).toBe(200);
    await until('node two to release the zone or leave', async () => {
      const view = JSON.parse((await httpGet(`${one.http}/admin/cluster`, auth)).body) as { zones: { owner: { nodeId: string } | null }[] };
      return view.zones[0]?.owner?.nodeId === 'admin-1';
    });
  });

  it('embedded (no Redis): no cluster view, kick and drain stay local as before', async () => {
    const solo = await node('solo', undefined);
    expect((await httpGet(`${solo.http}/admin/cluster`, auth)).status).toBe(404);
    const user = await connect(solo.url, { token: await signToken('u1') });
    await user.handshake();
    const kick = await httpCall('POST', `${solo.http}/admin/kick`, auth, JSON.stringify({ userId: 'u1' }));
    expect(JSON.parse(kick.body)).toEqual({ kicked: 1 });
    expect((await httpCall('POST', `${solo.http}/admin/drain`, auth, JSON.stringify({ nodeId: 'x' }))).status).toBe(404);
    expect((await httpCall('POST', `${solo.http}/admin/drain`, auth)).status).toBe(202);
  });
});
