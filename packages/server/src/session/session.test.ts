import { createMessageRegistry, decodeMessage, ManualClock, MessageType } from '@mmo/protocol';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox.js';
import { ResumeTokenSigner } from './resume-token.js';
import { SessionManager } from './session-manager.js';
import { MemorySessionStore } from './store/memory-session-store.js';

const SECRET = 'resume-secret-0123456789-0123456789';

function manager(options = {}) {
  const clock = new ManualClock(1_000_000);
  const events: string[] = [];
  const sessions = new SessionManager({
    clock,
    logger: pino({ level: 'silent' }),
    registry: createMessageRegistry(),
    options: { resumeTokenSecret: SECRET, graceMs: 1_000, ...options },
    lifecycle: {
      created: (s) => events.push(`created:${s.userId}`),
      resumed: (s) => events.push(`resumed:${s.userId}`),
      upgraded: (s) => events.push(`upgraded:${s.userId}`),
      disconnected: (s, code) => events.push(`disconnected:${s.userId}:${code}`),
      expired: (s) => events.push(`expired:${s.userId}`),
      ended: (s) => events.push(`ended:${s.userId}`),
    },
  });
  return { clock, events, sessions };
}

describe('Outbox', () => {
  it('is bounded by count and bytes and refuses instead of dropping', () => {
    const outbox = new Outbox({ maxMessages: 3, maxBytes: 10 });
    expect(outbox.push({ sequence: 1, frame: new Uint8Array(4) })).toBe(true);
    expect(outbox.push({ sequence: 2, frame: new Uint8Array(4) })).toBe(true);
    expect(outbox.push({ sequence: 3, frame: new Uint8Array(4) })).toBe(false); // 12 bytes
    expect(outbox.push({ sequence: 3, frame: new Uint8Array(2) })).toBe(true);
    expect(outbox.push({ sequence: 4, frame: new Uint8Array(0) })).toBe(false); // 4 messages
    expect(outbox.ackThrough(2)).toBe(2);
    expect(outbox.after(0).map((e) => e.sequence)).toEqual([3]);
    expect(outbox.byteSize).toBe(2);
  });

  it('replays exactly the unacknowledged entries, in order, for any ack pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 60 }), { maxLength: 30 }), (acks) => {
        const outbox = new Outbox({ maxMessages: 100, maxBytes: 1e6 });
        for (let s = 1; s <= 60; s++) outbox.push({ sequence: s, frame: Uint8Array.of(s) });
        let acked = 0;
        for (const a of acks) {
          outbox.ackThrough(a);
          acked = Math.max(acked, a);
        }
        const expected = Array.from({ length: 60 - acked }, (_, i) => acked + 1 + i);
        expect(outbox.after(acked).map((e) => e.sequence)).toEqual(expected);
        expect(outbox.size).toBe(expected.length);
      }),
    );
  });
});

describe('ResumeTokenSigner', () => {
  it('accepts its own tokens and refuses tampered, foreign-key and expired ones', () => {
    const signer = new ResumeTokenSigner(SECRET);
    const token = signer.sign({ sessionId: 's', nonce: 'n', userId: 'u', expiresAtMs: 2000 });
    expect(signer.verify(token, 1000)).toEqual({ sessionId: 's', nonce: 'n', userId: 'u', expiresAtMs: 2000 });
    expect(signer.verify(token, 2000)).toBe('expired');
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['s', 'n', 'mallory', 2000])).toString('base64url');
    expect(signer.verify(`${forged}.${mac}`, 1000)).toBe('bad_signature');
    expect(new ResumeTokenSigner('another-secret-0123456789-0123456789').verify(token, 1000)).toBe('bad_signature');
    expect(signer.verify(`${body}`, 1000)).toBe('malformed');
    expect(signer.verify('a.b.c', 1000)).toBe('malformed');
  });
});

describe('SessionManager', async () => {
  it('resumes with a valid token exactly once (single use), bound to the user', async () => {
    const { sessions, events } = manager();
    const first = (await sessions.open('ann', undefined, 0));
    expect(first.resumed).toBe(false);
    sessions.detach(first.session, 1006, 'dropped');
    const second = (await sessions.open('ann', first.resumeToken, 0));
    expect(second).toMatchObject({ resumed: true, rejection: undefined });
    expect(second.session).toBe(first.session);
    sessions.confirmToken(second.session); // the client used the session: it has the new token
    sessions.detach(second.session, 1006, 'dropped');
    // The first token was used: refused as reused; the newest one works.
    expect((await sessions.open('ann', first.resumeToken, 0)).rejection).toBe('reused');
    expect((await sessions.open('bob', second.resumeToken, 0)).rejection).toBe('foreign');
    expect((await sessions.open('ann', second.resumeToken, 0)).resumed).toBe(true);
    expect((await sessions.open('ann', 'garbage', 0)).rejection).toBe('malformed');
    // Until confirmed, the token consumed by the latest resume still works (its answer may be lost).
    const s = second.session;
    sessions.detach(s, 1006, 'dropped');
    expect((await sessions.open('ann', second.resumeToken, 0)).resumed).toBe(true);
    expect(events.filter((e) => e.startsWith('resumed'))).toEqual(['resumed:ann', 'resumed:ann', 'resumed:ann']);
  });

  it('expires a detached session after the grace period on the injected clock', async () => {
    const { sessions, clock, events } = manager();
    const opened = (await sessions.open('cy', undefined, 0));
    sessions.detach(opened.session, 1006, 'dropped');
    clock.advance(999);
    expect(sessions.get(opened.session.id)).toBeDefined();
    clock.advance(1);
    expect(sessions.get(opened.session.id)).toBeUndefined();
    expect(events).toContain('expired:cy');
    expect(events).toContain('ended:cy');
    expect((await sessions.open('cy', opened.resumeToken, 0)).rejection).toBe('unknown');
  });

  it('a resume before the grace period ends cancels the expiry', async () => {
    const { sessions, clock } = manager();
    const opened = (await sessions.open('di', undefined, 0));
    sessions.detach(opened.session, 1006, 'dropped');
    clock.advance(900);
    expect((await sessions.open('di', opened.resumeToken, 0)).resumed).toBe(true);
    clock.advance(5_000);
    expect(sessions.get(opened.session.id)?.state).toBe('attached');
  });

  it('ends a session at once on kick or replacement (no resume)', async () => {
    const { sessions } = manager();
    const opened = (await sessions.open('ed', undefined, 0));
    sessions.detach(opened.session, 4004, 'kicked');
    expect(sessions.get(opened.session.id)).toBeUndefined();
    expect((await sessions.open('ed', opened.resumeToken, 0)).rejection).toBe('unknown');
  });

  it('keeps reliable messages for a detached session and reports outbox overflow', async () => {
    const { sessions } = manager({ maxOutboxMessages: 2 });
    const opened = (await sessions.open('fi', undefined, 0));
    sessions.detach(opened.session, 1006, 'dropped');
    expect(sessions.sendDetached(opened.session, MessageType.FRIEND_STATUS, { friendId: 'a' })).toBe('queued');
    expect(sessions.sendDetached(opened.session, MessageType.PLAYER_STATE, { playerId: 'volatile' })).toBe('queued');
    expect(sessions.sendDetached(opened.session, MessageType.FRIEND_STATUS, { friendId: 'b' })).toBe('queued');
    const kept = opened.session.outbox.after(0).map((e) => decodeMessage(e.frame)[0]!);
    expect(kept.map((e) => [e.sequence, e.type])).toEqual([
      [1, MessageType.FRIEND_STATUS],
      [2, MessageType.FRIEND_STATUS],
    ]);
    expect(sessions.sendDetached(opened.session, MessageType.FRIEND_STATUS, { friendId: 'c' })).toBe('overflow');
    expect(sessions.get(opened.session.id)).toBeUndefined();
  });

  it('HTTP-side sessions are upgraded by their first socket and share id and data', async () => {
    const { sessions, events } = manager();
    const { session, resumeToken } = (await sessions.createSession('gil'));
    session.data.set('cart', 3);
    const opened = (await sessions.open('gil', resumeToken, 0));
    expect(opened).toMatchObject({ upgraded: true, resumed: false });
    expect(opened.session.id).toBe(session.id);
    expect(opened.session.data.get('cart')).toBe(3);
    expect(events).toContain('upgraded:gil');
  });

  it('clamps an ack beyond what was sent and reports it', async () => {
    const { sessions } = manager();
    const { session } = (await sessions.open('hu', undefined, 0));
    session.takeOutSequence();
    expect(session.applyPeerAck(1)).toBe(true);
    expect(session.applyPeerAck(5)).toBe(false);
    expect(session.peerAck).toBe(1);
  });
});

describe('SessionManager with a shared store (two nodes)', () => {
  it('resumes on another node with exactly the unacknowledged messages; the old token is spent everywhere', async () => {
    const clock = new ManualClock(1_000_000);
    const store = new MemorySessionStore(clock);
    const node = (nodeId: string) =>
      new SessionManager({
        clock,
        logger: pino({ level: 'silent' }),
        registry: createMessageRegistry(),
        options: { resumeTokenSecret: SECRET, graceMs: 10_000 },
        lifecycle: { created() {}, resumed() {}, upgraded() {}, disconnected() {}, expired() {}, ended() {} },
        store,
        nodeId,
      });
    const a = node('a');
    const b = node('b');
    const opened = await a.open('zed', undefined, 0);
    for (const id of ['m1', 'm2', 'm3', 'm4']) {
      const encoded = a.encodeFor(opened.session, MessageType.FRIEND_STATUS, { friendId: id }, { reliable: true, priority: 3 });
      if (encoded === 'overflow') throw new Error('overflow');
      await encoded.persisted;
    }
    a.applyPeerAck(opened.session, 2);
    // Client messages 1..3 were handled on node a and that ack is durable before it is advertised.
    for (const n of [1, 2, 3]) opened.session.inbound.offer(n, undefined as never);
    a.noteInboundProgress(opened.session);
    await opened.session.persistChain;
    expect(opened.session.ackForPeer).toBe(3);

    // Node a dies (nothing more from it). The client resumes on node b, having received up to 3.
    const resumed = await b.open('zed', opened.resumeToken, 3);
    expect(resumed).toMatchObject({ resumed: true, rejection: undefined });
    expect(resumed.session.id).toBe(opened.session.id);
    expect(resumed.session.outbox.after(3).map((e) => decodeMessage(e.frame)[0]!.sequence)).toEqual([4]);
    expect(resumed.session.inboundAck).toBe(3);
    // New messages continue the sequence where node a stopped.
    const next = b.encodeFor(resumed.session, MessageType.FRIEND_STATUS, { friendId: 'm5' }, { reliable: true, priority: 3 });
    expect(next !== 'overflow' && decodeMessage(next.frame)[0]!.sequence).toBe(5);
    b.confirmToken(resumed.session);
    await resumed.session.persistChain;
    expect((await a.open('zed', opened.resumeToken, 0)).rejection).toBe('reused');
    expect((await b.open('zed', opened.resumeToken, 0)).rejection).toBe('reused');
    await a.close();
    await b.close();
  });
});
