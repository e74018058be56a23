import { createEntityStateCodec, decodeMessage, ErrorCode, MessageType, type MmoEnvelope } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createStateSync, type Gateway, type StateSync } from '../src/index.js';
import { connect, registry, signToken, startGateway, type TestClient } from './helpers.js';
import { WorldMirror } from './world-mirror.js';

const codec = createEntityStateCodec();
let running: { gateway: Gateway; sync: StateSync }[] = [];
const timers: ReturnType<typeof setInterval>[] = [];
afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const r of running) r.sync.stop();
  await Promise.all(running.map((r) => r.gateway.close()));
  running = [];
});

interface Player {
  client: TestClient;
  mirror: WorldMirror;
  selfId: number;
  /** Resolves the next time a message arrives (or after `ms`), for condition waits. */
  until(predicate: () => boolean, what: string, ms?: number): Promise<void>;
  move(x: number, z: number, inputTick: number, vx?: number): void;
}

async function join(url: string, userId: string, resumeToken?: string): Promise<Player> {
  const client = await connect(url, { token: await signToken(userId) });
  batches.set(client, []);
  const mirror = new WorldMirror(codec, 50);
  let selfId = 0;
  let wake: (() => void) | undefined;
  const take = (envelopes: Iterable<MmoEnvelope>) => {
    for (const env of envelopes) {
      if (env.type === MessageType.ZONE_UPDATE) selfId = registry.unpack(MessageType.ZONE_UPDATE, env.payload).selfEntityId;
      if (env.type === MessageType.INTEREST_UPDATE || env.type === MessageType.WORLD_DELTA || env.type === MessageType.WORLD_STATE) {
        mirror.sendState(env.type, registry.unpack(env.type, env.payload));
      }
      if (env.type === MessageType.PLAYER_STATE || env.type === MessageType.PLAYER_ACTION) {
        mirror.volatile.push({ type: env.type, payload: registry.unpack(env.type, env.payload), priority: env.priority });
      }
    }
  };
  // Listening before the handshake goes out: ws may deliver several WebSocket messages from one
  // read synchronously, so a listener added after the handshake could miss the first tick.
  client.ws.on('message', (data: Buffer) => {
    const envelopes = decodeMessage(new Uint8Array(data), { maxFrameBytes: 1 << 22 });
    batches.get(client)!.push(envelopes.map((e) => e.type));
    take(envelopes);
    wake?.();
  });
  const ce = registry.unpack(MessageType.CONNECTION_ESTABLISHED, (await client.handshake(resumeToken === undefined ? {} : { resumeToken })).payload);
  established.set(client, { sessionId: ce.sessionId, resumeToken: ce.resumeToken });
  const player: Player = {
    client,
    mirror,
    get selfId() {
      return selfId;
    },
    async until(predicate, what, ms = 8_000) {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${userId}: timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    move(x, z, inputTick, vx = 0) {
      client.send({
        type: MessageType.PLAYER_MOVE,
        payload: registry.pack(MessageType.PLAYER_MOVE, { inputTick, timestamp: Date.now(), position: { x, y: 0, z }, velocity: { x: vx, y: 0, z: 0 } }),
      });
    },
  } as Player;
  return player;
}

const established = new WeakMap<TestClient, { sessionId: string; resumeToken: string }>();
/** The message types of each WebSocket message a client received, in order. */
const batches = new WeakMap<TestClient, number[][]>();
function resumeTokenOf(client: TestClient): string {
  return established.get(client)!.resumeToken;
}
function sessionOf(client: TestClient): string {
  return established.get(client)!.sessionId;
}

function positionOf(p: Player, entityId: number) {
  const e = p.mirror.entities.get(entityId);
  return e?.current === undefined ? undefined : codec.dequantize(e.current).position;
}

describe('state sync end to end (real gateway, real sockets)', () => {
  it('two players in one zone see each other move; a third far away does not until it walks into range; a speed hack is corrected', async () => {
    const { gateway, url } = await startGateway();
    const spawns: Record<string, { x: number; y: number; z: number }> = { ann: { x: 0, y: 0, z: 0 }, bob: { x: 5, y: 0, z: 0 }, cat: { x: 60, y: 0, z: 0 } };
    const sync = createStateSync(gateway, {
      tickRate: 20,
      zone: { interest: { enterRadius: 20 }, movement: { maxSpeed: 10 } },
      hooks: { spawnPosition: (userId) => spawns[userId]! },
    });
    running.push({ gateway, sync });
    const ann = await join(url, 'ann');
    const bob = await join(url, 'bob');
    const cat = await join(url, 'cat');
    await bob.until(() => ann.selfId > 0 && bob.mirror.visible.includes(ann.selfId), `bob to see ann`).catch((e) => {
      throw new Error(`${e.message}: ann=${ann.selfId} bob sees ${bob.mirror.visible} received ${bob.mirror.received.length} ${bob.client.received.map((r) => r.type)}`);
    });
    expect(cat.mirror.visible).not.toContain(ann.selfId);

    // ann walks along +z at 5 units/s: bob sees her move, cat (55 units away) does not see her.
    let tick = 0;
    let z = 0;
    timers.push(setInterval(() => {
      z += 0.25;
      ann.move(0, z, ++tick);
    }, 50));
    await bob.until(() => (positionOf(bob, ann.selfId)?.z ?? 0) > 2, 'ann to move in bob’s view');
    expect(cat.mirror.visible).not.toContain(ann.selfId);
    expect(bob.mirror.lastProcessedInput).toBe(0);
    await ann.until(() => ann.mirror.lastProcessedInput > 10, 'ann to get her processed input tick');
    for (const t of timers.splice(0)) clearInterval(t);

    // cat walks toward the others at 9 units/s and enters their view: enter event and snapshot.
    let catX = 60;
    let catTick = 0;
    timers.push(setInterval(() => {
      catX = Math.max(12, catX - 0.45);
      cat.move(catX, 0, ++catTick, -9);
    }, 50));
    const snapshotsBefore = cat.mirror.received.filter((m) => m.type === MessageType.WORLD_STATE).length;
    await cat.until(() => cat.mirror.visible.includes(ann.selfId), 'cat to see ann', 12_000);
    const snapshots = cat.mirror.received.filter((m) => m.type === MessageType.WORLD_STATE).slice(snapshotsBefore);
    expect(snapshots.some((s) => (s.payload as { players: { entityId: number }[] }).players.some((p) => p.entityId === ann.selfId))).toBe(true);
    expect(cat.mirror.received.some((m) => m.type === MessageType.INTEREST_UPDATE && (m.payload as { entered: number[] }).entered.includes(ann.selfId))).toBe(true);
    for (const t of timers.splice(0)) clearInterval(t);

    // bob walks honestly along -z: ann sees him move too.
    let bobTick = 0;
    let bobZ = 0;
    timers.push(setInterval(() => {
      bobZ -= 0.25;
      bob.move(5, bobZ, ++bobTick);
    }, 50));
    await ann.until(() => (positionOf(ann, bob.selfId)?.z ?? 0) < -2, 'bob to move in ann’s view');
    for (const t of timers.splice(0)) clearInterval(t);

    // bob speed-hacks at 3x the allowed speed: the server corrects him and others see the server's position.
    let bobX = 5;
    for (let i = 1; i <= 30; i++) {
      bobX += 1.5;
      bob.move(bobX, bobZ, bobTick + i, 30);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await bob.until(() => bob.mirror.volatile.some((m) => m.type === MessageType.PLAYER_STATE), 'a correction for bob');
    const correction = bob.mirror.volatile.find((m) => m.type === MessageType.PLAYER_STATE)!.payload as { position: { x: number }; lastProcessedInput: number };
    expect(correction.position.x).toBeLessThan(bobX - 10);
    expect(sync.zone.entity(bob.selfId)!.motion.position.x).toBeLessThan(bobX - 10);
    const metrics = await gateway.metrics.registry.getSingleMetricAsString('mmo_movement_rejections_total');
    expect(metrics).toMatch(/reason="(speed|teleport)"/);
    for (const p of [ann, bob, cat]) p.client.close();
  });

  it('sends an action at once to those who see the actor, in the actor\'s name; validateAction refuses one with ACTION_REJECTED', async () => {
    const { gateway, url } = await startGateway();
    const spawns: Record<string, { x: number; y: number; z: number }> = { ann: { x: 0, y: 0, z: 0 }, bob: { x: 5, y: 0, z: 0 }, cat: { x: 60, y: 0, z: 0 } };
    const sync = createStateSync(gateway, {
      tickRate: 20,
      zone: { interest: { enterRadius: 20 } },
      hooks: {
        spawnPosition: (userId) => spawns[userId]!,
        validateAction: (_actor, action) => (action.actionType === 'cheat' ? 'cheating is not allowed' : true),
      },
    });
    running.push({ gateway, sync });
    const ann = await join(url, 'ann');
    const bob = await join(url, 'bob');
    const cat = await join(url, 'cat');
    await bob.until(() => ann.selfId > 0 && bob.mirror.visible.includes(ann.selfId), 'bob to see ann');
    const actionsOf = (p: Player) => p.mirror.volatile.filter((m) => m.type === MessageType.PLAYER_ACTION).map((m) => m.payload as { playerId: string; actionType: string });

    // ann claims to be mallory: the server names the actor.
    ann.client.send({ type: MessageType.PLAYER_ACTION, sequence: 1, payload: registry.pack(MessageType.PLAYER_ACTION, { playerId: 'mallory', actionType: 'wave' }) });
    await bob.until(() => actionsOf(bob).length > 0, 'bob to get ann’s action');
    expect(actionsOf(bob)).toEqual([expect.objectContaining({ playerId: 'ann', actionType: 'wave' })]);

    ann.client.send({ type: MessageType.PLAYER_ACTION, sequence: 2, payload: registry.pack(MessageType.PLAYER_ACTION, { actionType: 'cheat' }) });
    const error = registry.unpack(MessageType.ERROR, (await ann.client.next(MessageType.ERROR)).payload);
    expect(error.code).toBe(ErrorCode.ACTION_REJECTED);
    expect(error.message).toBe('cheating is not allowed');
    expect(error.requestId).toBe('2');
    // A later action still goes through (the stream is intact) and the refused one never went out.
    ann.client.send({ type: MessageType.PLAYER_ACTION, sequence: 3, payload: registry.pack(MessageType.PLAYER_ACTION, { actionType: 'bow' }) });
    await bob.until(() => actionsOf(bob).length > 1, 'bob to get ann’s second action');
    expect(actionsOf(bob).map((a) => a.actionType)).toEqual(['wave', 'bow']);
    expect(actionsOf(cat)).toEqual([]);
    expect(actionsOf(ann)).toEqual([]);
    for (const p of [ann, bob, cat]) p.client.close();
  });

  it('answers TIME_SYNC with the zone tick and rate, and a resumed client gets a fresh snapshot', async () => {
    const { gateway, url } = await startGateway();
    const sync = createStateSync(gateway, { tickRate: 20 });
    running.push({ gateway, sync });
    const ann = await join(url, 'ann');
    await ann.until(() => ann.mirror.visible.length === 1 && ann.mirror.tick > 0, 'first ticks');
    const askedAt = Date.now();
    ann.client.send({ type: MessageType.TIME_SYNC, payload: registry.pack(MessageType.TIME_SYNC, { clientTime: askedAt - 1234 }) });
    const answer = registry.unpack(MessageType.TIME_SYNC, (await ann.client.next(MessageType.TIME_SYNC)).payload);
    const answeredAt = Date.now();
    expect(Number(answer.clientTime)).toBe(askedAt - 1234);
    // Same machine, same clock: the server's times lie between the request and the answer.
    expect(Number(answer.serverReceiveTime)).toBeGreaterThanOrEqual(askedAt);
    expect(Number(answer.serverSendTime)).toBeGreaterThanOrEqual(Number(answer.serverReceiveTime));
    expect(Number(answer.serverSendTime)).toBeLessThanOrEqual(answeredAt);
    expect(answer.tickRate).toBe(20);
    expect(answer.serverTick).toBeGreaterThan(0);
    expect(Math.abs(answer.serverTick - sync.tickLoop.currentTick)).toBeLessThan(5);

    // Drop the socket; resume the session on a new one: same entity, and the view starts over.
    const token = resumeTokenOf(ann.client);
    const before = sync.zone.playerOfSession(sessionOf(ann.client))!;
    const disconnected = new Promise((resolve) => gateway.events.once('sessionDisconnected', resolve));
    ann.client.ws.terminate();
    await disconnected;
    const again = await join(url, 'ann', token);
    await again.until(() => again.mirror.visible.includes(before.id) && again.mirror.received.some((m) => m.type === MessageType.WORLD_STATE), 'a fresh snapshot after resume');
    expect(again.selfId).toBe(before.id);
    expect(sync.zone.playerCount).toBe(1);
    const snapshot = again.mirror.received.find((m) => m.type === MessageType.WORLD_STATE)!.payload as { players: { entityId: number }[] };
    expect(snapshot.players.map((p) => p.entityId)).toEqual([before.id]);
    // A tick's messages travel together: one WebSocket message (one socket write) per tick.
    const withSnapshot = batches.get(again.client)!.find((types) => types.includes(MessageType.WORLD_STATE))!;
    expect(withSnapshot).toEqual([MessageType.INTEREST_UPDATE, MessageType.WORLD_STATE, MessageType.WORLD_DELTA]);
    expect(batches.get(again.client)!.filter((types) => types.includes(MessageType.WORLD_DELTA)).every((types) => types.filter((t) => t === MessageType.WORLD_DELTA).length === 1)).toBe(true);
    again.client.close();
  });
});
