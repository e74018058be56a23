/**
 * The demo server's HTTP side and its world on 127.0.0.1:0: dev tokens only when asked for (and
 * accepted by the gateway), the page's config, static files with safe paths, the NPCs inside the
 * walkable area, the action rules, the friends rule, presence between two real clients, and the
 * command line.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMmoClient, type MmoClient } from '@mmo/client';
import { MessageType, pb } from '@mmo/protocol';
import { Zone } from '@mmo/server';
import { jwtVerify } from 'jose';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActionValidator } from './actions.js';
import { readDemoCliConfig } from './cli-config.js';
import { createDemoServer, type DemoServer } from './demo-server.js';
import { createWanderers } from './npcs.js';
import { createDemoFriends } from './presence.js';
import { demoWorldDefaults, seededRandom } from './world.js';

const SECRET = 'demo-server-test-secret-long-enough-0123456789';
const silent = pino({ level: 'silent' });
const running: DemoServer[] = [];
const clients: MmoClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const demo of running.splice(0)) await demo.close();
});

function staticFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmo-demo-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'export {};');
  writeFileSync(join(dir, '..', 'mmo-demo-secret.txt'), 'outside the root');
  return dir;
}

async function start(options: Parameters<typeof createDemoServer>[0] = {}) {
  const demo = createDemoServer({ port: 0, jwtSecret: SECRET, logger: silent, staticDir: staticFixture(), seed: 1, ...options });
  running.push(demo);
  const { url } = await demo.listen();
  return { demo, url };
}

describe('createDemoServer over HTTP', () => {
  it('has no token endpoint unless dev tokens are on', async () => {
    const { url } = await start();
    expect((await fetch(`${url}dev/token?name=alice`)).status).toBe(404);
    expect(await (await fetch(`${url}demo/config.json`)).json()).toMatchObject({ devTokens: false, wsPath: '/ws', tickRate: 20, area: demoWorldDefaults.area });
  });

  it('signs short-lived HS256 tokens for valid names when dev tokens are on', async () => {
    const { url } = await start({ devTokens: true, devTokenTtlS: 60 });
    const response = await fetch(`${url}dev/token?name=alice`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { token, expiresInS } = (await response.json()) as { token: string; expiresInS: number };
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'], requiredClaims: ['exp'] });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(expiresInS).toBe(60);
    for (const bad of ['', 'a b', 'x'.repeat(33), '<script>']) {
      expect((await fetch(`${url}dev/token?name=${encodeURIComponent(bad)}`)).status).toBe(400);
    }
    expect((await fetch(`${url}dev/token?name=alice`, { method: 'POST' })).status).toBe(405);
  });

  it('needs a secret of 32+ characters unless dev tokens are on', () => {
    expect(() => createDemoServer({ port: 0, logger: silent })).toThrow(/jwtSecret is required/);
    expect(() => createDemoServer({ port: 0, logger: silent, jwtSecret: 'short' })).toThrow(/at least 32/);
  });

  it('serves the built page with content types, and nothing outside its folder', async () => {
    const { url } = await start();
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const asset = await fetch(`${url}assets/index-abc.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    for (const sneaky of ['..%2fmmo-demo-secret.txt', '%2e%2e/mmo-demo-secret.txt', 'assets/..%2f..%2fmmo-demo-secret.txt']) {
      const response = await fetch(`${url}${sneaky}`);
      expect(response.status, sneaky).toBe(404);
      expect(await response.text()).not.toContain('outside the root');
    }
    expect((await fetch(`${url}%00`)).status).toBe(400);
    expect((await fetch(`${url}%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${url}missing.js`)).status).toBe(404);
    expect((await fetch(`${url}healthz`)).status).toBe(200); // the gateway's own routes come first
  });

  it('says how to build the page when it is missing', async () => {
    const { url } = await start({ staticDir: join(tmpdir(), 'mmo-demo-no-such-dir') });
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('pnpm build');
  });
});

/** What a player's page would show: friends by user id, as the server last said. */
type FriendStatuses = Record<string, number>;

/** A Node player on a dev token that keeps its friends list (FRIEND_LIST replaces, FRIEND_STATUS updates). */
async function joinAs(url: string, name: string) {
  const client = createMmoClient({
    url: `${url.replace(/^http/, 'ws')}ws`,
    WebSocket,
    getToken: async () => ((await (await fetch(`${url}dev/token?name=${name}`)).json()) as { token: string }).token,
  });
  clients.push(client);
  const friends: FriendStatuses = {};
  let changed = () => {};
  client.onMessage(MessageType.FRIEND_LIST, (list) => {
    for (const key of Object.keys(friends)) delete friends[key];
    for (const f of list.friends ?? []) friends[f.userId ?? ''] = f.status ?? 0;
    changed();
  });
  client.onMessage(MessageType.FRIEND_STATUS, (s) => {
    friends[s.friendId ?? ''] = s.status ?? 0;
    changed();
  });
  /** Resolves once `friends` matches `expected` (an event, not a poll); fails after 5 s. */
  const friendsBecome = (expected: FriendStatuses) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}'s friends stayed ${JSON.stringify(friends)}, wanted ${JSON.stringify(expected)}`)), 5_000);
      changed = () => {
        if (JSON.stringify(Object.entries(friends).sort()) !== JSON.stringify(Object.entries(expected).sort())) return;
        clearTimeout(timer);
        changed = () => {};
        resolve();
      };
      changed();
    });
  await client.connect();
  return { client, friends, friendsBecome };
}

describe('presence with the demo friends rule', () => {
  it('befriends everyone who joined before, both ways, and forgets the least recent past the limit', () => {
    const friends = createDemoFriends({ maxPlayers: 3 });
    friends.join('alice');
    expect(friends.friendsOf('alice')).toEqual([]);
    friends.join('bob');
    friends.join('carol');
    expect([...friends.friendsOf('carol')].sort()).toEqual(['alice', 'bob']);
    expect([...friends.watchersOf('alice')].sort()).toEqual(['bob', 'carol']);
    friends.join('alice'); // a rejoin (resume, new tab) only makes alice the most recent
    friends.join('dave'); // bob is forgotten
    expect(friends.players()).toEqual(['carol', 'alice', 'dave']);
    expect(friends.friendsOf('bob')).toEqual([]);
    expect([...friends.friendsOf('alice')].sort()).toEqual(['carol', 'dave']);
  });

  it('lists a friend online, relays away, and shows offline once the session ends', async () => {
    // A short grace period: client.disconnect() closes with 1000, which keeps the session
    // resumable (and the player online) until the grace period runs out.
    const { url } = await start({ devTokens: true, sessionGraceMs: 150 });
    expect(await (await fetch(`${url}demo/config.json`)).json()).toMatchObject({ presence: true });
    const alice = await joinAs(url, 'alice');
    await alice.friendsBecome({});
    const bob = await joinAs(url, 'bob');
    await bob.friendsBecome({ alice: pb.PlayerStatus.PLAYER_STATUS_ONLINE });
    await alice.friendsBecome({ bob: pb.PlayerStatus.PLAYER_STATUS_ONLINE });

    await alice.client.send(MessageType.PLAYER_STATUS_CHANGE, { status: pb.PlayerStatus.PLAYER_STATUS_AWAY }, { reliable: true });
    await bob.friendsBecome({ alice: pb.PlayerStatus.PLAYER_STATUS_AWAY });

    alice.client.disconnect();
    await bob.friendsBecome({ alice: pb.PlayerStatus.PLAYER_STATUS_OFFLINE });
  });
});

describe('the demo world', () => {
  it('NPCs wander inside the walkable area, with velocities that match their steps', () => {
    const zone = new Zone({ id: 'test', tickIntervalMs: 50, logger: silent });
    const area = demoWorldDefaults.area;
    const npcs = createWanderers(zone, { count: 7, area, random: seededRandom(3) });
    expect(npcs.entities).toHaveLength(7);
    const start = npcs.entities.map((e) => ({ ...e.motion.position }));
    for (let tick = 1; tick <= 2_000; tick++) {
      npcs.step(50);
      for (const e of npcs.entities) {
        const { x, z } = e.motion.position;
        expect(x >= area.minX && x <= area.maxX && z >= area.minZ && z <= area.maxZ).toBe(true);
        expect(Math.hypot(e.motion.velocity.x, e.motion.velocity.z)).toBeLessThanOrEqual(2.5 + 1e-9);
      }
    }
    expect(npcs.entities.filter((e, i) => Math.hypot(e.motion.position.x - start[i]!.x, e.motion.position.z - start[i]!.z) > 1).length).toBeGreaterThan(3);
  });

  it('allows wave and known emotes, at most one action per interval', () => {
    let now = 0;
    const validate = createActionValidator({ minIntervalMs: 400, now: () => now });
    const zone = new Zone({ id: 'test', tickIntervalMs: 50, logger: silent });
    const actor = zone.joinPlayer('alice', 's1');
    expect(validate(actor, { actionType: 'wave' })).toBe(true);
    now += 100;
    expect(validate(actor, { actionType: 'wave' })).toMatch(/slow down/);
    now += 400;
    expect(validate(actor, { actionType: 'emote', parameters: { emote: 'dance' } })).toBe(true);
    now += 400;
    expect(validate(actor, { actionType: 'emote', parameters: { emote: 'moonwalk' } })).toMatch(/unknown emote/);
    expect(validate(actor, { actionType: 'attack' })).toMatch(/unknown action/);
  });
});

describe('readDemoCliConfig', () => {
  it('reads flags, then MMO_* variables, then defaults', () => {
    expect(readDemoCliConfig(['--dev-tokens'], {})).toMatchObject({ port: 8080, host: '127.0.0.1', devTokens: true, jwtSecret: undefined });
    expect(readDemoCliConfig(['--port', '0'], { MMO_DEV_TOKENS: '1', MMO_PORT: '9000' })).toMatchObject({ port: 0, devTokens: true });
    expect(readDemoCliConfig([], { MMO_JWT_SECRET: SECRET, MMO_PORT: '9000' })).toMatchObject({ port: 9000, devTokens: false, jwtSecret: SECRET });
    expect(readDemoCliConfig(['--help'], {})).toBe('help');
  });

  it('names the setting that is wrong', () => {
    expect(() => readDemoCliConfig([], {})).toThrow('--jwt-secret / MMO_JWT_SECRET: required unless --dev-tokens');
    expect(() => readDemoCliConfig(['--dev-tokens', '--port', '70000'], {})).toThrow('--port / MMO_PORT');
    expect(() => readDemoCliConfig(['--dev-tokens', '--jwt-secret', 'short'], {})).toThrow('at least 32 characters');
    expect(() => readDemoCliConfig([], { MMO_DEV_TOKENS: 'yes' })).toThrow('MMO_DEV_TOKENS');
    expect(() => readDemoCliConfig(['--bogus'], {})).toThrow('invalid setting arguments');
  });
});
