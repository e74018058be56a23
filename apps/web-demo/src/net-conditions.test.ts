import type { TransportCloseInfo, TransportFactory, TransportHandlers } from '@mmo/client';
import { decodeMessage, encodeMessage, encodeMessageBatch, ManualClock, MessageType } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { createConditionedTransport, FORCED_CLOSE_CODE } from './net-conditions.js';

/** An inner transport the test drives by hand; records what was sent and how it was closed. */
function fakeInner() {
  const state = { handlers: undefined as TransportHandlers | undefined, sent: [] as Uint8Array[], closed: [] as Array<[number | undefined, string | undefined]> };
  const factory: TransportFactory = (_request, handlers) => {
    state.handlers = handlers;
    return { send: (data) => state.sent.push(data), close: (code, reason) => state.closed.push([code, reason]) };
  };
  return { factory, state };
}

function open(conditions: Parameters<typeof createConditionedTransport>[1] = {}) {
  const clock = new ManualClock(1_000);
  const inner = fakeInner();
  const { transport, control } = createConditionedTransport(inner.factory, { clock, ...conditions });
  const events: string[] = [];
  const closes: TransportCloseInfo[] = [];
  const link = transport(
    { url: 'ws://127.0.0.1/ws', token: 't', resumeToken: undefined },
    {
      onOpen: () => events.push('open'),
      onMessage: (data) => events.push(`msg ${decodeMessage(data).map((e) => e.sequence).join(',')}`),
      onClose: (info) => closes.push(info),
    },
  );
  return { clock, inner: inner.state, control, link, events, closes };
}

const move = (n: number) => encodeMessage({ type: MessageType.PLAYER_MOVE, payload: Uint8Array.of(n) });
const reliable = (sequence: number) => encodeMessage({ type: MessageType.PLAYER_ACTION, sequence });

describe('createConditionedTransport', () => {
  it('passes everything through at once on a perfect network', () => {
    const { inner, link, events } = open();
    inner.handlers!.onOpen();
    inner.handlers!.onMessage(reliable(1));
    link.send(move(1));
    expect(events).toEqual(['open', 'msg 1']);
    expect(inner.sent).toHaveLength(1);
  });

  it('delays each direction by half the latency plus jitter, and never reorders', () => {
    // Jitter draws: big, small, big, small ... so later messages would overtake without the FIFO.
    let i = 0;
    const { clock, inner, control, link, events } = open({ random: () => (i++ % 2 === 0 ? 0.99 : 0), conditions: { latencyMs: 200, jitterMs: 100 } });
    inner.handlers!.onOpen(); // due at +199
    for (let s = 1; s <= 4; s++) inner.handlers!.onMessage(reliable(s));
    link.send(move(1));
    clock.advance(99);
    expect(events).toEqual([]);
    expect(inner.sent).toHaveLength(0);
    clock.advance(100);
    expect(events).toEqual(['open', 'msg 1', 'msg 2', 'msg 3', 'msg 4']);
    expect(inner.sent).toHaveLength(1);
    expect(control.counters.delayed).toBe(6);
  });

  it('drops only volatile frames, never reliable ones or the handshake, even inside one batch', () => {
    const { inner, control, link } = open({ random: () => 0, conditions: { volatileDropRate: 0.5 } });
    link.send(encodeMessage({ type: MessageType.HANDSHAKE }));
    link.send(move(1));
    link.send(encodeMessageBatch([{ type: MessageType.PLAYER_MOVE }, { type: MessageType.PLAYER_ACTION, sequence: 1 }, { type: MessageType.HEARTBEAT }]));
    const sent = inner.sent.map((data) => decodeMessage(data).map((e) => e.type));
    expect(sent).toEqual([[MessageType.HANDSHAKE], [MessageType.PLAYER_ACTION]]);
    expect(control.counters.droppedVolatile).toBe(3);
  });

  it('clamps what the panel sets', () => {
    const { control } = open();
    control.set({ latencyMs: 1e9, jitterMs: -5, volatileDropRate: Number.NaN });
    expect(control.conditions).toEqual({ latencyMs: 2_000, jitterMs: 0, volatileDropRate: 0 });
  });

  it('a forced disconnect reports 1006 once, closes the socket, and lets nothing through after it', () => {
    const { clock, inner, control, link, events, closes } = open({ conditions: { latencyMs: 100 } });
    inner.handlers!.onOpen();
    clock.advance(50);
    inner.handlers!.onMessage(reliable(1)); // still in flight when the link is cut
    expect(control.forceDisconnect()).toBe(true);
    expect(closes).toEqual([{ code: 1006, reason: 'forced disconnect (network panel)', wasOpen: true }]);
    expect(inner.closed).toEqual([[FORCED_CLOSE_CODE, 'forced disconnect']]);
    inner.handlers!.onClose({ code: 4000, reason: '', wasOpen: true });
    link.send(move(2));
    clock.advance(1_000);
    expect(events).toEqual(['open']);
    expect(closes).toHaveLength(1);
    expect(inner.sent).toHaveLength(0);
    expect(control.forceDisconnect()).toBe(false);
    expect(control.counters.forcedDisconnects).toBe(1);
  });
});
