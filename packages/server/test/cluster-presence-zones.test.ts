// Issue 7 "Show it": real mmo-gateway processes sharing one Redis (random key prefix per test, so
// the shared Redis on 6379 is only read and written under that prefix; the restart test uses a
// disposable redis-server).
import { randomUUID } from 'node:crypto';
import { createEntityStateCodec, decodeMessage, MessageType, type MmoEnvelope, pb } from '@mmo/protocol';
import { DisposableRedis } from '@mmo/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, httpGet, registry, signToken, type TestClient } from './helpers.js';
import { ADMIN_TOKEN, type GatewayProcess, killGateway, spawnGateway } from './process-helpers.js';
import { WorldMirror } from './world-mirror.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Short TTLs so a dead node's users and zone move on within seconds. */
const TTL_MS = 1500;
/** A dead node's users go offline within TTL + the sweep interval (1 s); this adds scheduling slack. */
const OFFLINE_DEADLINE_MS = TTL_MS + 1000 + 1500;
const codec = createEntityStateCodec();
const S = pb.PlayerStatus;

const processes: GatewayProcess[] = [];
const timers: ReturnType<typeof setInterval>[] = [];
const players: Player[] = [];
const redisClients: Redis[] = [];
afterEach(async () => {
  await Promise.all(redisClients.splice(0).map((r) => r.quit().catch(() => {})));
  for (const t of timers.splice(0)) clearInterval(t);
  for (const p of players.splice(0)) p.client.ws.terminate();
  await Promise.all(processes.map(killGateway));
  processes.length = 0;
});

function nodeEnv(redisUrl: string, prefix: string, nodeId: string): Record<string, string> {
  return {
    MMO_REDIS_URL: redisUrl,
    MMO_REDIS_KEY_PREFIX: prefix,
    MMO_NODE_ID: nodeId,
    MMO_PRESENCE_TTL_MS: String(TTL_MS),
    MMO_ZONE_LEASE_TTL_MS: String(TTL_MS),
    MMO_NODE_TTL_MS: String(TTL_MS),
  };
}

async function start(redisUrl: string, prefix: string, nodeId: string): Promise<GatewayProcess> {
  const g = await spawnGateway(nodeEnv(redisUrl, prefix, nodeId));
  processes.push(g);
  return g;
}

interface ClusterView {
  members: { nodeId: string }[];
  zones: { zoneId: string; owner: { nodeId: string; token: number } | null }[];
  busHealthy: boolean;
}
async function cluster(g: GatewayProcess): Promise<ClusterView> {
  const res = await httpGet(`${g.http}/admin/cluster`, { authorization: `Bearer ${ADMIN_TOKEN}` });
  return JSON.parse(res.body) as ClusterView;
}
async function ownerSeenBy(g: GatewayProcess): Promise<string | undefined> {
  return (await cluster(g).catch(() => undefined))?.zones[0]?.owner?.nodeId;
}

/** Polls `probe` until it returns true; fails after `ms` with `what`. */
async function waitFor(what: string, probe: () => boolean | Promise<boolean>, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A client that keeps a world mirror (started over at every ZONE_UPDATE, as a client entering a zone does). */
interface Player {
  userId: string;
  client: TestClient;
  mirror: WorldMirror;
  selfId: number;
  zoneUpdates: number;
  sessionId: string;
  resumeToken: string;
  token: string;
  maxSequence: number;
  mirrorErrors: string[];
  /** Its own z; reset at each ZONE_UPDATE, set by the test to where the (new) zone placed it before walking on. */
  z: number;
  until(predicate: () => boolean, what: string, ms?: number): Promise<void>;
  /** Next message of `type` that passes `match` (earlier ones of that type are consumed). */
  nextWhere<T>(type: number, match: (payload: T) => boolean, ms?: number): Promise<T>;
  /** Sends a PLAYER_MOVE every 50 ms, 0.25 further along z each time; returns a stop function. */
  walk(): () => void;
}

async function join(url: string, userId: string, friends: string[] | undefined, resume?: Player): Promise<Player> {
  const token = resume?.token ?? (await signToken(userId, friends === undefined ? {} : { friends }));
  const client = await connect(url, { token });
  const hello = resume === undefined ? {} : { resumeToken: resume.resumeToken, lastReceivedSequence: resume.maxSequence };
  const ce = registry.unpack(MessageType.CONNECTION_ESTABLISHED, (await client.handshake(hello)).payload);
  let wake: (() => void) | undefined;
  const player: Player = {
    userId,
    client,
    mirror: new WorldMirror(codec, 50),
    selfId: 0,
    zoneUpdates: 0,
    sessionId: ce.sessionId,
    resumeToken: ce.resumeToken,
    token,
    maxSequence: 0,
    mirrorErrors: [],
    z: 0,
    async until(predicate, what, ms = 8_000) {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${userId}: timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async nextWhere<T>(type: number, match: (payload: T) => boolean, ms = 8_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const env = await client.next(type, Math.max(1, deadline - Date.now()));
        const payload = registry.unpack(type, env.payload) as T;
        if (match(payload)) return payload;
      }
    },
    walk() {
      let tick = 0;
      const timer = setInterval(() => {
        player.z += 0.25;
        client.send({
          type: MessageType.PLAYER_MOVE,
          payload: registry.pack(MessageType.PLAYER_MOVE, { inputTick: ++tick, timestamp: Date.now(), position: { x: 0, y: 0, z: player.z }, velocity: { x: 0, y: 0, z: 5 } }),
        });
      }, 50);
      timers.push(timer);
      return () => clearInterval(timer);
    },
  };
  const take = (envelopes: Iterable<MmoEnvelope>) => {
    for (const env of envelopes) {
      player.maxSequence = Math.max(player.maxSequence, env.sequence ?? 0);
      try {
        if (env.type === MessageType.ZONE_UPDATE) {
          player.selfId = registry.unpack(MessageType.ZONE_UPDATE, env.payload).selfEntityId;
          player.mirror = new WorldMirror(codec, 50);
          player.zoneUpdates++;
          player.z = 0;
        }
        if (env.type === MessageType.INTEREST_UPDATE || env.type === MessageType.WORLD_DELTA || env.type === MessageType.WORLD_STATE) {
          player.mirror.sendState(env.type, registry.unpack(env.type, env.payload));
        }
      } catch (error) {
        player.mirrorErrors.push((error as Error).message);
      }
    }
  };
  take(client.received);
  client.ws.on('message', (data: Buffer) => {
    take(decodeMessage(new Uint8Array(data), { maxFrameBytes: 1 << 22 }));
    wake?.();
  });
  players.push(player);
  return player;
}

/** Where `viewer` sees `other`'s own entity (undefined while not visible). */
function positionIn(viewer: Player, other: Player) {
  const e = viewer.mirror.entities.get(other.selfId);
  return e?.current === undefined ? undefined : codec.dequantize(e.current).position;
}

type FriendStatus = { friendId: string; status: number };

describe('several mmo-gateway processes over one Redis (issue 7)', () => {
  it('friends on different nodes see status changes; players on different nodes share a zone; a SIGKILLed owner’s users go offline, its zone is taken over and its clients resume elsewhere', async () => {
    const prefix = `test:${randomUUID().slice(0, 8)}:`;
    const a = await start(REDIS_URL, prefix, 'node-a');
    await waitFor('node-a to own the zone', async () => (await ownerSeenBy(a)) === 'node-a');
    const [b, c] = await Promise.all([start(REDIS_URL, prefix, 'node-b'), start(REDIS_URL, prefix, 'node-c')]);
    await waitFor('three members', async () => (await cluster(a)).members.length === 3);
    expect((await httpGet(`${b.http}/readyz`)).status).toBe(200);
    const metrics = (await httpGet(`${a.http}/metrics`)).body;
    expect(metrics).toMatch(/mmo_cluster_zone_owned\{zone="default"\} 1/);
    expect(metrics).toMatch(/mmo_cluster_nodes 3/);

    // Presence across nodes: friends from the token's `friends` claim.
    const alice = await join(a.url, 'alice', ['bob']);
    await alice.nextWhere<{ friends: { userId: string; status: number }[] }>(MessageType.FRIEND_LIST, (l) => l.friends.length === 1);
    const bob = await join(b.url, 'bob', ['alice']);
    const list = await bob.nextWhere<{ friends: { userId: string; status: number }[] }>(MessageType.FRIEND_LIST, () => true);
    expect(list.friends).toMatchObject([{ userId: 'alice', status: S.PLAYER_STATUS_ONLINE }]);
    await alice.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'bob' && f.status === S.PLAYER_STATUS_ONLINE);
    alice.client.send({ type: MessageType.PLAYER_STATUS_CHANGE, payload: registry.pack(MessageType.PLAYER_STATUS_CHANGE, { status: S.PLAYER_STATUS_AWAY }) });
    await bob.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'alice' && f.status === S.PLAYER_STATUS_AWAY);

    // One zone across nodes: alice on the owner, bob and carol elsewhere, all see each other move.
    const carol = await join(c.url, 'carol', undefined);
    for (const p of [alice, bob, carol]) await p.until(() => p.selfId > 0, 'a ZONE_UPDATE');
    alice.walk();
    const stopBob = bob.walk();
    await bob.until(() => (positionIn(bob, alice)?.z ?? 0) > 1.5, 'alice (node a) to move in bob’s view (node b)');
    await alice.until(() => (positionIn(alice, bob)?.z ?? 0) > 1.5, 'bob (node b) to move in alice’s view (node a)');
    await carol.until(() => (positionIn(carol, bob)?.z ?? 0) > 1.5 && (positionIn(carol, alice)?.z ?? 0) > 1.5, 'carol (node c) to see both move');

    // bob stops; the owner saves where he stands (one Redis record per zone, rewritten every second).
    stopBob();
    await carol.until(() => Math.abs((positionIn(carol, bob)?.z ?? -1) - bob.z) < 0.05, 'carol to see bob stop');
    const bobBefore = positionIn(carol, bob)!;
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    redisClients.push(redis);
    const stored = async (sessionId: string) => {
      const raw = await redis.get(`${prefix}zone:default:placements`);
      return raw === null ? undefined : (JSON.parse(raw) as Record<string, number[]>)[sessionId];
    };
    await waitFor('the owner to save bob’s place', async () => Math.abs(((await stored(bob.sessionId)) ?? [0, 0, -1])[2]! - bobBefore.z) < 0.05, 3_000);
    const aliceBefore = positionIn(bob, alice)!;

    // SIGKILL the zone owner: alice goes offline at bob's within the TTL, the zone moves on.
    const bobZonesBefore = bob.zoneUpdates;
    const killedAt = Date.now();
    await killGateway(a);
    await bob.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'alice' && f.status === S.PLAYER_STATUS_OFFLINE, OFFLINE_DEADLINE_MS);
    const offlineAfterMs = Date.now() - killedAt;
    expect(offlineAfterMs).toBeLessThan(OFFLINE_DEADLINE_MS);
    await waitFor('another node to own the zone', async () => ['node-b', 'node-c'].includes((await ownerSeenBy(b)) ?? ''), TTL_MS + 5_000);
    const newOwner = (await ownerSeenBy(b))!;
    await waitFor('node-a to leave the membership', async () => (await cluster(c)).members.every((m) => m.nodeId !== 'node-a'), TTL_MS + 5_000);

    // bob (still on node b) is taken in by the new owner; alice resumes her session on node c.
    await bob.until(() => bob.zoneUpdates > bobZonesBefore, 'bob to get the new owner’s ZONE_UPDATE');
    // ...where he stood before the kill (read from Redis by the new owner), not at the spawn point.
    await bob.until(() => positionIn(bob, bob) !== undefined, 'bob’s own entity in the new snapshot');
    const bobAfter = positionIn(bob, bob)!;
    expect(bobBefore.z).toBeGreaterThan(1.5);
    expect(Math.abs(bobAfter.z - bobBefore.z)).toBeLessThan(0.05);
    expect(Math.abs(bobAfter.x - bobBefore.x) + Math.abs(bobAfter.y - bobBefore.y)).toBeLessThan(0.05);
    await carol.until(() => Math.abs((positionIn(carol, bob)?.z ?? -1) - bobBefore.z) < 0.05, 'carol to see bob where he stood');
    bob.z = bobAfter.z;
    bob.walk();
    const alice2 = await join(c.url, 'alice', ['bob'], alice);
    expect(alice2.sessionId).toBe(alice.sessionId);
    await bob.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'alice' && f.status === S.PLAYER_STATUS_ONLINE);
    await alice2.until(() => alice2.selfId > 0 && positionIn(alice2, alice2) !== undefined, 'alice in the zone again');
    // alice walked on until the kill: her place was saved up to a second (5 units) before it.
    const alicePlaced = positionIn(alice2, alice2)!;
    expect(alicePlaced.z).toBeGreaterThan(1.5);
    expect(alicePlaced.z).toBeLessThanOrEqual(aliceBefore.z + 0.05);
    alice2.z = alicePlaced.z;
    alice2.walk();
    await bob.until(() => (positionIn(bob, alice2)?.z ?? 0) > alicePlaced.z + 1.5, `alice (resumed on node c) to move in bob’s view (owner ${newOwner})`);
    await alice2.until(() => (positionIn(alice2, bob)?.z ?? 0) > bobAfter.z + 1.5, 'bob to move on from where he stood in resumed alice’s view');
    for (const p of [alice, bob, carol, alice2]) expect(p.mirrorErrors, p.userId).toEqual([]);
    console.log(`SIGKILL of the owner: alice offline at bob's after ${offlineAfterMs} ms (TTL ${TTL_MS} ms); zone taken over by ${newOwner}; bob placed at z ${bobAfter.z.toFixed(2)} (was ${bobBefore.z.toFixed(2)}), alice at z ${alicePlaced.z.toFixed(2)} (seen at ${aliceBefore.z.toFixed(2)} before the kill)`);
  }, 60_000);

  it('Redis restarted under the cluster: not ready while it is down, then presence, bus and zones recover without restarting a gateway', async () => {
    const redis = await DisposableRedis.start();
    try {
      const prefix = 'mmo:';
      const a = await start(redis.url, prefix, 'node-a');
      await waitFor('node-a to own the zone', async () => (await ownerSeenBy(a)) === 'node-a');
      const b = await start(redis.url, prefix, 'node-b');
      const dave = await join(a.url, 'dave', ['erin']);
      const erin = await join(b.url, 'erin', ['dave']);
      await dave.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'erin' && f.status === S.PLAYER_STATUS_ONLINE);
      for (const p of [dave, erin]) await p.until(() => p.selfId > 0, 'a ZONE_UPDATE');
      dave.walk();
      await erin.until(() => (positionIn(erin, dave)?.z ?? 0) > 1, 'dave to move in erin’s view');

      await redis.kill();
      for (const g of [a, b]) await waitFor(`${g.url} not ready`, async () => (await httpGet(`${g.http}/readyz`)).status === 503);
      // Still serving what needs no Redis: a status change reaches the user themself.
      erin.client.send({ type: MessageType.HEARTBEAT });
      await erin.client.next(MessageType.PONG);
      await redis.launch();
      for (const g of [a, b]) await waitFor(`${g.url} ready again`, async () => (await httpGet(`${g.http}/readyz`)).status === 200, 15_000);
      await waitFor('a zone owner again', async () => (await ownerSeenBy(b)) !== undefined, 10_000);
      await waitFor('both members again', async () => (await cluster(b)).members.length === 2, 10_000);

      // Presence was republished: a newcomer sees dave online, and live changes flow again.
      const fred = await join(b.url, 'fred', ['dave']);
      const fredList = await fred.nextWhere<{ friends: { userId: string; status: number }[] }>(MessageType.FRIEND_LIST, () => true);
      expect(fredList.friends).toMatchObject([{ userId: 'dave', status: S.PLAYER_STATUS_ONLINE }]);
      erin.client.send({ type: MessageType.PLAYER_STATUS_CHANGE, payload: registry.pack(MessageType.PLAYER_STATUS_CHANGE, { status: S.PLAYER_STATUS_BUSY }) });
      await dave.nextWhere<FriendStatus>(MessageType.FRIEND_STATUS, (f) => f.friendId === 'erin' && f.status === S.PLAYER_STATUS_BUSY, 10_000);
      // The zone runs again on its owner and reaches the other node.
      const seen = positionIn(erin, dave)?.z ?? 0;
      await erin.until(() => Math.abs((positionIn(erin, dave)?.z ?? seen) - seen) > 1, 'dave to move in erin’s view after the restart', 10_000);
      for (const g of [a, b]) expect(g.child.exitCode).toBeNull();
    } finally {
      await Promise.all(processes.splice(0).map(killGateway));
      await redis.kill();
    }
  }, 60_000);
});
