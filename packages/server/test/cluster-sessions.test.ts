import { MessageType } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, httpCall, registry, signToken, type TestClient } from './helpers.js';
import { ADMIN_TOKEN, type GatewayProcess, killGateway, spawnGateway } from './process-helpers.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const processes: GatewayProcess[] = [];
afterEach(async () => {
  await Promise.all(processes.map(killGateway));
  processes.length = 0;
});

async function adminSend(gateway: GatewayProcess, userId: string, friendId: string): Promise<number> {
  const payloadBase64 = Buffer.from(registry.pack(MessageType.FRIEND_STATUS, { friendId })).toString('base64');
  const res = await httpCall('POST', `${gateway.http}/admin/send`, { authorization: `Bearer ${ADMIN_TOKEN}` }, JSON.stringify({ userId, type: MessageType.FRIEND_STATUS, payloadBase64 }));
  return (JSON.parse(res.body) as { delivered: number }).delivered;
}

async function established(client: TestClient, payload: Record<string, unknown> = {}) {
  const env = await client.handshake(payload);
  return registry.unpack(MessageType.CONNECTION_ESTABLISHED, env.payload);
}

describe('sessions across gateway processes sharing Redis', () => {
  it('clients of a SIGKILLed node resume on another node and get exactly what they had not acknowledged', async () => {
    const a = await spawnGateway({ MMO_REDIS_URL: REDIS_URL, MMO_NODE_ID: 'node-a' });
    const b = await spawnGateway({ MMO_REDIS_URL: REDIS_URL, MMO_NODE_ID: 'node-b' });
    processes.push(a, b);
    const users = ['ka', 'kb', 'kc'];
    const state = new Map<string, { token: string; resumeToken: string; sessionId: string; received: number }>();
    for (const user of users) {
      const token = await signToken(user);
      const client = await connect(a.url, { token });
      const ce = await established(client);
      for (let i = 1; i <= 6; i++) expect(await adminSend(a, user, `${user}-${i}`)).toBe(1);
      const got: number[] = [];
      for (let i = 1; i <= 6; i++) got.push((await client.next(MessageType.FRIEND_STATUS)).sequence);
      expect(got).toEqual([1, 2, 3, 4, 5, 6]);
      // Acknowledge 1..2 and wait until the node has it; the client "loses" 5 and 6 in the crash.
      client.send({ type: MessageType.HEARTBEAT, ack: 2 });
      await client.next(MessageType.PONG);
      state.set(user, { token, resumeToken: ce.resumeToken, sessionId: ce.sessionId, received: 4 });
    }
    await new Promise((resolve) => setTimeout(resolve, 100)); // let node a's ack writes land
    await killGateway(a);

    for (const user of users) {
      const s = state.get(user)!;
      const client = await connect(`${b.url}?resume=${encodeURIComponent(s.resumeToken)}`, { token: s.token });
      const ce = await established(client, { lastReceivedSequence: s.received });
      expect(ce).toMatchObject({ resumed: true, sessionId: s.sessionId });
      const replay = [await client.next(MessageType.FRIEND_STATUS), await client.next(MessageType.FRIEND_STATUS)];
      expect(replay.map((e) => e.sequence)).toEqual([5, 6]);
      expect(replay.map((e) => registry.unpack(MessageType.FRIEND_STATUS, e.payload).friendId)).toEqual([`${user}-5`, `${user}-6`]);
      // The stream continues on node b.
      expect(await adminSend(b, user, `${user}-7`)).toBe(1);
      expect((await client.next(MessageType.FRIEND_STATUS)).sequence).toBe(7);
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(client.received.filter((e) => e.type === MessageType.FRIEND_STATUS)).toEqual([]);
      client.close();
    }
  }, 60_000);
});
