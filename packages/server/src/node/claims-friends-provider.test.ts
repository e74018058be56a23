import { describe, expect, it } from 'vitest';
import { ClaimsFriendsProvider } from './claims-friends-provider.js';
import { decodeDeliveries, decodeMove, DeliveryMode, encodeDeliveries, encodeMove } from './zone-wire.js';

describe('ClaimsFriendsProvider', () => {
  it('reads the friends claim, ignores bad entries, and answers watchers for this node’s users', () => {
    const p = new ClaimsFriendsProvider({ maxFriendsPerUser: 3 });
    expect(p.track('s0', 'zed', {})).toBe(false);
    expect(p.track('s1', 'alice', { friends: ['bob', 'alice', 7, '', 'carol', 'dan', 'eve'] })).toBe(true);
    expect(p.friendsOf('alice')).toEqual(['bob', 'carol', 'dan']);
    expect(p.watchersOf('bob')).toEqual(['alice']);
    p.track('s2', 'alice', { friends: ['bob'] });
    p.untrack('s1');
    expect(p.watchersOf('bob')).toEqual(['alice']);
    expect(p.watchersOf('carol')).toEqual([]);
    p.untrack('s2');
    expect(p.watchersOf('bob')).toEqual([]);
    expect(p.friendsOf('alice')).toEqual([]);
  });
});

describe('zone wire frames', () => {
  it('round-trip moves and deliveries byte for byte', () => {
    const move = decodeMove(encodeMove('forest', 'sess-1', new Uint8Array([1, 2, 3])));
    expect(move).toEqual({ zoneId: 'forest', sessionId: 'sess-1', payload: new Uint8Array([1, 2, 3]) });
    const sessions = new Map([
      ['a', [{ type: 210, mode: DeliveryMode.state, priority: 0, bytes: new Uint8Array([9, 9]) }]],
      ['bé', [{ type: 104, mode: DeliveryMode.reliable, priority: 0, bytes: new Uint8Array() }, { type: 105, mode: DeliveryMode.volatile, priority: 8, bytes: new Uint8Array([7]) }]],
    ]);
    expect(decodeDeliveries(encodeDeliveries('forest', sessions))).toEqual({ zoneId: 'forest', sessions });
  });
});
