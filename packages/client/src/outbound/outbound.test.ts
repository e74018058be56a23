import { ErrorCode, ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { Outbound, type OutboundMessage } from './outbound.js';
import type { OutboundFrame } from './outbound-entry.js';
import type { OutboundOptions } from './outbound-options.js';

function setup(options: OutboundOptions = {}) {
  const clock = new ManualClock(0);
  const writes: OutboundFrame[][] = [];
  const writer = { online: false, write: (frames: readonly OutboundFrame[]) => void writes.push([...frames]) };
  const out = new Outbound(clock, writer, { sendTimeoutMs: 0, ...options });
  const frames = () => writes.flat();
  return { clock, writer, out, writes, frames };
}

function msg(n: number, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return { type: 1000, payload: Uint8Array.of(n), reliable: true, requiresAck: false, priority: 5, timeoutMs: 0, coalesceKey: undefined, ...overrides };
}

/** Records how each promise settled. */
function track(promises: Array<Promise<void>>) {
  const results: Array<string | undefined> = promises.map(() => undefined);
  promises.forEach((p, i) => p.then(() => (results[i] = 'ok'), (e: Error) => (results[i] = e.name)));
  return results;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('Outbound offline queue', () => {
  it('refuses past maxQueuedMessages with OfflineQueueFullError and evicts nothing', async () => {
    const { out } = setup({ maxQueuedMessages: 3 });
    const results = track([1, 2, 3, 4].map((n) => out.send(msg(n))));
    await flush();
    expect(results).toEqual([undefined, undefined, undefined, 'OfflineQueueFullError']);
    expect(out.queuedMessages).toBe(3);
  });

  it('refuses past maxQueuedBytes', async () => {
    const { out } = setup({ maxQueuedBytes: 10 });
    const big = { payload: new Uint8Array(6) };
    const results = track([out.send(msg(1, big)), out.send(msg(2, big)), out.send(msg(3, { payload: new Uint8Array(4) }))]);
    await flush();
    expect(results).toEqual([undefined, 'OfflineQueueFullError', undefined]);
    expect(out.queuedBytes).toBe(10);
  });

  it('expires unsent messages older than maxQueuedAgeMs on the clock', async () => {
    const { out, clock } = setup({ maxQueuedAgeMs: 30_000 });
    const first = out.send(msg(1));
    clock.advance(20_000);
    const second = out.send(msg(2));
    const results = track([first, second]);
    clock.advance(10_000);
    await flush();
    expect(results).toEqual(['MessageExpiredError', undefined]);
    clock.advance(20_000);
    await flush();
    expect(results).toEqual(['MessageExpiredError', 'MessageExpiredError']);
    expect(out.queuedMessages).toBe(0);
    expect(out.queuedBytes).toBe(0);
  });

  it('drops volatile sends while offline unless coalesced; keeps the latest per key', async () => {
    const { out, writer, frames } = setup();
    const v = { reliable: false };
    const results = track([
      out.send(msg(1, v)),
      out.send(msg(2, { ...v, coalesceKey: 'move' })),
      out.send(msg(3, { ...v, coalesceKey: 'move' })),
      out.send(msg(4, { ...v, coalesceKey: 'aim' })),
    ]);
    await flush();
    expect(results).toEqual(['NotConnectedError', 'MessageSupersededError', undefined, undefined]);
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    await flush();
    expect(frames().map((f) => [f.payload[0], f.sequence])).toEqual([[3, 0], [4, 0]]);
    expect(results).toEqual(['NotConnectedError', 'MessageSupersededError', 'ok', 'ok']);
    expect(out.queuedBytes).toBe(0);
  });

  it('flushes a backlog paced: one burst, then the sustained rate, in order', () => {
    const { out, writer, clock, writes } = setup({ flushBurstMessages: 10, flushMessagesPerSecond: 5, maxBatchFrames: 4 });
    for (let n = 1; n <= 20; n++) void out.send(msg(n));
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    expect(writes.map((w) => w.length)).toEqual([4, 4, 2]);
    clock.advance(1_000);
    expect(writes.flat()).toHaveLength(15);
    clock.advance(1_000);
    expect(writes.flat().map((f) => f.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

describe('Outbound reliable stream', () => {
  it('resends exactly the unacknowledged messages once, in order, after a resume', async () => {
    const { out, writer, frames } = setup();
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const promises = [1, 2, 3, 4, 5].map((n) => out.send(msg(n)));
    const results = track(promises);
    out.onAck(1);
    writer.online = false;
    out.onOffline();
    const queued = out.send(msg(6)); // sent while offline: after the resends
    writer.online = true;
    out.onSessionEstablished(true, 3, ''); // the server had received 1..3
    await flush();
    expect(frames().map((f) => f.sequence)).toEqual([1, 2, 3, 4, 5, 4, 5, 6]);
    expect(results).toEqual(['ok', 'ok', 'ok', undefined, undefined]);
    out.onAck(6);
    await queued;
    expect(out.queuedMessages).toBe(0);
  });

  it('rejects the old session unacknowledged messages with SessionLostError after a fresh session', async () => {
    const { out, writer, frames } = setup();
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const results = track([out.send(msg(1)), out.send(msg(2, { requiresAck: true })), out.send(msg(3))]);
    out.onAck(2); // 2 arrived but its handler's ACK never came
    out.onSessionEstablished(false, 0, 'expired');
    const next = out.send(msg(4));
    await flush();
    expect(results).toEqual(['ok', 'SessionLostError', 'SessionLostError']);
    expect(frames().map((f) => [f.payload[0], f.sequence])).toEqual([[1, 1], [2, 2], [3, 3], [4, 1]]);
    out.onAck(1);
    await next;
  });

  it('with resendOnNewSession, renumbers the old unacknowledged messages from 1, in order', async () => {
    const { out, writer, frames } = setup({ resendOnNewSession: true });
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const results = track([1, 2, 3].map((n) => out.send(msg(n))));
    out.onAck(1);
    out.onSessionEstablished(false, 0, 'expired');
    out.onAck(2);
    await flush();
    expect(frames().map((f) => [f.payload[0], f.sequence])).toEqual([[1, 1], [2, 2], [3, 3], [2, 1], [3, 2]]);
    expect(results).toEqual(['ok', 'ok', 'ok']);
  });

  it('settles requiresAck sends on ACK, rejects on ERROR with a typed ServerError', async () => {
    const { out, writer } = setup();
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const ok = out.send(msg(1, { requiresAck: true }));
    const bad = out.send(msg(2, { requiresAck: true }));
    out.onAck(2);
    out.onAckMessage(1);
    await ok;
    out.onError({ sequence: 2, envelopeAck: 2, code: ErrorCode.ACTION_REJECTED, message: 'not your turn', retryable: false, details: { why: 'turn' } });
    await expect(bad).rejects.toMatchObject({ name: 'ServerError', errorCode: ErrorCode.ACTION_REJECTED, retryable: false, details: { why: 'turn' } });
  });

  it('resends a message the server dropped before sequencing it (RATE_LIMITED) after retransmitDelayMs', () => {
    const { out, writer, frames, clock } = setup({ retransmitDelayMs: 500 });
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const p = out.send(msg(1));
    void out.send(msg(2));
    const results = track([p]);
    out.onError({ sequence: 1, envelopeAck: 0, code: ErrorCode.RATE_LIMITED, message: 'slow down', retryable: true, details: {} });
    clock.advance(499);
    expect(frames().map((f) => f.sequence)).toEqual([1, 2]);
    clock.advance(1);
    expect(frames().map((f) => f.sequence)).toEqual([1, 2, 1]);
    expect(results).toEqual([undefined]);
  });

  it('times out: an unsent message is dropped, a sent one stays in the stream', async () => {
    const { out, writer, clock, frames } = setup();
    const unsent = out.send(msg(1, { timeoutMs: 100 }));
    clock.advance(100);
    await expect(unsent).rejects.toMatchObject({ name: 'SendTimeoutError', wasSent: false });
    writer.online = true;
    out.onSessionEstablished(false, 0, 'fresh');
    const sent = out.send(msg(2, { timeoutMs: 100 }));
    clock.advance(100);
    await expect(sent).rejects.toMatchObject({ name: 'SendTimeoutError', wasSent: true });
    expect(out.inFlightCount).toBe(1);
    expect(frames().map((f) => [f.payload[0], f.sequence])).toEqual([[2, 1]]);
  });

  it('rejects everything on close', async () => {
    const { out } = setup();
    const p = out.send(msg(1));
    out.close(new Error('bye'));
    await expect(p).rejects.toThrow('bye');
    expect(out.queuedMessages).toBe(0);
  });
});
