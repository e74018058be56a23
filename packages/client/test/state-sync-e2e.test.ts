/**
 * The client's world model, prediction and interpolation against a real gateway running state
 * sync (createStateSync) on 127.0.0.1: two players see each other move, the walker's predictions
 * are acknowledged without corrections, a remote player is interpolated, and a connection reset
 * through the fault proxy ends in a resumed session with a fresh, exact view.
 */
import { MessageType, type Vector3Like } from '@mmo/protocol';
import { createStateSync } from '@mmo/server';
import { FaultyProxy } from '@mmo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attachWorldState,
  createInterpolator,
  createPredictor,
  createWorldState,
  feedInterpolator,
  type MmoClient,
  type PredictionModel,
} from '../src/index.js';
import { nodeClient, signToken, startGateway, until } from './gateway-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const SPEED = 5;
type Move = { dx: number };
const model: PredictionModel<Vector3Like, Move> = {
  applyInput: (s, i, dtMs) => ({ x: s.x + (i.dx * SPEED * dtMs) / 1000, y: s.y, z: s.z }),
  distance: (a, b) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z),
  blend: (a, b, t) => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, z: a.z + (b.z - a.z) * t }),
};

async function player(url: string, userId: string) {
  const client: MmoClient = nodeClient({ url, getToken: () => signToken(userId) });
  const world = createWorldState({ tickRate: 20 });
  attachWorldState(client, world);
  cleanups.push(() => client.disconnect());
  await client.connect();
  return { client, world };
}

describe('state sync through @mmo/client against a real gateway', () => {
  it('a walker predicted locally is seen moving and interpolated by another player, and both survive a reset', async () => {
    const { gateway, port, url } = await startGateway();
    cleanups.push(() => gateway.close());
    const spawns: Record<string, Vector3Like> = { ann: { x: 0, y: 0, z: 0 }, bob: { x: 3, y: 0, z: 3 } };
    const sync = createStateSync(gateway, { tickRate: 20, hooks: { spawnPosition: (u) => spawns[u]! } });
    cleanups.push(() => sync.stop());
    const proxy = await FaultyProxy.start(port);
    cleanups.push(() => proxy.close());

    const ann = await player(`ws://127.0.0.1:${proxy.port}/ws`, 'ann');
    const bob = await player(url, 'bob');
    await until(() => ann.world.self !== undefined && bob.world.visibleIds.includes(ann.world.selfEntityId ?? -1), 10_000, 'both in one view');
    const annId = ann.world.selfEntityId!;
    const interpolator = createInterpolator({ interpolationDelayMs: 100 });
    feedInterpolator(bob.world, interpolator);

    // ann walks along +x, predicting locally and reconciling with her own authoritative state.
    const predictor = createPredictor(model, { x: 0, y: 0, z: 0 }, { inputDtMs: 50 });
    const reconciled: string[] = [];
    ann.world.on('selfState', ({ entity, lastProcessedInput }) => {
      reconciled.push(predictor.reconcile(entity.motion.position, lastProcessedInput).outcome);
    });
    const walk = setInterval(() => {
      if (predictor.state().x >= 6) return;
      const { tick, state } = predictor.predict({ dx: 1 }, 50);
      void ann.client
        .send(MessageType.PLAYER_MOVE, { inputTick: tick, timestamp: Date.now(), position: state, velocity: { x: SPEED, y: 0, z: 0 } }, { reliable: false })
        .catch(() => {});
    }, 50);
    cleanups.push(() => clearInterval(walk));

    await until(() => (bob.world.entity(annId)?.motion.position.x ?? 0) > 5.9, 15_000, 'bob to see ann arrive');
    // Interpolated 100 ms behind bob's newest sample: strictly between ann's start and end.
    const sampled = interpolator.sampleEntity(annId, (bob.world.serverTimeMs ?? 0) - 600);
    expect(sampled).toBeDefined();
    expect(sampled!.position.x).toBeGreaterThan(0);
    expect(sampled!.position.x).toBeLessThan(6);
    await until(() => predictor.acknowledgedTick >= predictor.lastInputTick, 5_000, 'every input acknowledged');
    expect(predictor.counters.snaps).toBe(0);
    expect(reconciled.filter((o) => o === 'smoothed').length).toBeLessThanOrEqual(2);
    expect(model.distance(predictor.state(), sync.zone.entity(annId)!.motion.position)).toBeLessThan(0.05);
    clearInterval(walk);

    // Reset ann's connection: the client resumes, the world starts over with a fresh exact view.
    const connectedBefore = ann.world.serverTick ?? 0;
    const reconnects: boolean[] = [];
    ann.client.on('connected', (e) => reconnects.push(e.resumed));
    proxy.resetAll();
    await until(() => reconnects.length > 0 && (ann.world.serverTick ?? 0) > connectedBefore + 10 && ann.world.visibleIds.includes(bob.world.selfEntityId ?? -1), 15_000, 'ann back with a fresh view');
    expect(reconnects).toEqual([true]);
    expect(ann.world.selfEntityId).toBe(annId);
    for (const id of ann.world.visibleIds) {
      const server = sync.zone.entity(id)!;
      expect(ann.world.entity(id)!.quantized).toEqual(server.state); // both players are at rest by now
    }
  });
});
