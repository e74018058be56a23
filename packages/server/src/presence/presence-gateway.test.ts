// Presence wired onto a real gateway the way the README section shows, over real sockets: this is
// the wiring the integrator adds to create-gateway.ts / the demo.
import { ErrorCode, MessageType } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { connectReady, registry, startGateway } from '../../test/helpers.js';
import type { Gateway } from '../gateway/create-gateway.js';
import { MemoryFriendsProvider } from './friends-provider.js';
import { createPresenceService, type PresenceService } from './presence-service.js';
import { createStatusChangeHandler } from './status-change-handler.js';

let running: Array<{ gateway: Gateway; presence: PresenceService }> = [];
afterEach(async () => {
  for (const r of running) await r.presence.close();
  await Promise.all(running.map((r) => r.gateway.close()));
  running = [];
});

function attachPresence(gateway: Gateway, friends: MemoryFriendsProvider): PresenceService {
  const presence = createPresenceService({
    friends,
    nodeId: 'gw-test',
    send: (userId, type, payload) => gateway.sendToUser(userId, type, payload),
    logger: gateway.logger,
  });
  gateway.router.on(MessageType.PLAYER_STATUS_CHANGE, createStatusChangeHandler(presence));
  // Every socket that completes its handshake (fresh or resumed) gets a FRIEND_LIST; the user goes
  // offline when the session is gone for good, not when a socket blips.
  gateway.events.on('connection', (info) => {
    presence.connect(info.userId, info.sessionId).catch((err: unknown) => gateway.logger.warn({ err, userId: info.userId }, 'presence connect failed'));
  });
  gateway.events.on('sessionEnded', (session) => {
    presence.disconnect(session.userId, session.id).catch((err: unknown) => gateway.logger.warn({ err, userId: session.userId }, 'presence disconnect failed'));
  });
  return presence;
}

describe('presence on a gateway', () => {
  it('lists friends on connect, relays status changes, refuses bad ones, and goes offline when the session ends', async () => {
    const { gateway, url } = await startGateway({ session: { graceMs: 200 } });
    const friends = new MemoryFriendsProvider();
    friends.addFriendship('alice', 'bob');
    const presence = attachPresence(gateway, friends);
    running.push({ gateway, presence });

    const alice = (await connectReady(url, 'alice')).client;
    const list = registry.unpack(MessageType.FRIEND_LIST, (await alice.next(MessageType.FRIEND_LIST)).payload);
    expect(list.friends.map((f) => [f.userId, f.status])).toEqual([['bob', 5]]);

    const bob = (await connectReady(url, 'bob')).client;
    expect(registry.unpack(MessageType.FRIEND_LIST, (await bob.next(MessageType.FRIEND_LIST)).payload).friends[0]).toMatchObject({ userId: 'alice', status: 1 });
    expect(registry.unpack(MessageType.FRIEND_STATUS, (await alice.next(MessageType.FRIEND_STATUS)).payload)).toMatchObject({ userId: 'alice', friendId: 'bob', status: 1 });

    bob.send({ type: MessageType.PLAYER_STATUS_CHANGE, sequence: 1, payload: registry.pack(MessageType.PLAYER_STATUS_CHANGE, { status: 4, zoneId: 'forest' }) });
    expect(registry.unpack(MessageType.FRIEND_STATUS, (await alice.next(MessageType.FRIEND_STATUS)).payload)).toMatchObject({ friendId: 'bob', status: 4, zoneId: 'forest' });
    // Bob's own presence: online from the connect, then what he chose.
    const own = [(await bob.next(MessageType.PRESENCE_UPDATE)).payload, (await bob.next(MessageType.PRESENCE_UPDATE)).payload];
    expect(own.map((p) => registry.unpack(MessageType.PRESENCE_UPDATE, p).status)).toEqual([1, 4]);

    bob.send({ type: MessageType.PLAYER_STATUS_CHANGE, sequence: 2, payload: registry.pack(MessageType.PLAYER_STATUS_CHANGE, { status: 4 }) });
    const error = registry.unpack(MessageType.ERROR, (await bob.next(MessageType.ERROR)).payload);
    expect(error).toMatchObject({ code: ErrorCode.VALIDATION_FAILED, requestId: '2' });

    bob.close();
    const offline = registry.unpack(MessageType.FRIEND_STATUS, (await alice.next(MessageType.FRIEND_STATUS)).payload);
    expect(offline).toMatchObject({ friendId: 'bob', status: 5 });
    alice.close();
  });
});
