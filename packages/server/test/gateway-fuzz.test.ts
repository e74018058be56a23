import { encodeFrame, encodeMessage, encodeMessageBatch, MessageType } from '@mmo/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Gateway } from '../src/index.js';
import { httpGet, registry, signToken, startGateway } from './helpers.js';

const TOTAL_CONNECTIONS = 2_000;
const CONCURRENCY = 100;
const MESSAGES_PER_CONNECTION = 6;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** Valid-looking seeds that mutations start from, so the fuzzer gets past the framing checks. */
const seeds = [
  encodeMessage({ type: MessageType.HANDSHAKE, payload: registry.pack(MessageType.HANDSHAKE, { protocolVersion: 1 }) }),
  encodeMessage({ type: MessageType.HEARTBEAT, payload: registry.pack(MessageType.HEARTBEAT, { clientTime: 5 }) }),
  encodeMessage({ type: MessageType.PLAYER_ACTION, sequence: 1, requiresAck: true, payload: registry.pack(MessageType.PLAYER_ACTION, { actionType: 'wave' }) }),
  encodeMessageBatch([{ type: MessageType.TIME_SYNC }, { type: 1000, sequence: 2 }, { type: MessageType.ACK, ack: 3 }]),
  encodeFrame(Uint8Array.of(0x28, 0x01, 0x32, 0x03, 0x01, 0x02)),
];

const messageArb = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 80 }),
  fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat({ max: 6 }))
    .map(([seed, flips, cut]) => {
      const out = seed.slice(0, Math.max(1, seed.length - cut));
      for (const [at, value] of flips) out[at % out.length] = value;
      return out;
    }),
  fc.constantFrom(...seeds),
  // Well-framed garbage: gets past framing into the envelope decoder and the router.
  fc.uint8Array({ maxLength: 60 }).map((body) => encodeFrame(body)),
  fc.array(fc.uint8Array({ maxLength: 30 }), { minLength: 1, maxLength: 4 }).map((bodies) => encodeMessageBatch(bodies.map((payload, i) => ({ type: [1, 2, 3, 5, 100, 101, 202, 1000][i % 8]!, sequence: i, payload })))),
);

function runClient(url: string, token: string, messages: Uint8Array[], handshakeFirst: boolean): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['mmo.v1'], { headers: { authorization: `Bearer ${token}` } });
    const done = (code: number) => resolve(code);
    ws.on('error', () => {});
    ws.on('close', (code) => done(code));
    ws.on('open', () => {
      if (handshakeFirst) ws.send(seeds[0]!);
      for (const m of messages) ws.send(m);
      // Leave time for the server to answer, then go.
      setTimeout(() => ws.close(), 20);
    });
  });
}

describe('gateway fuzz (real sockets)', () => {
  let gateway: Gateway;
  let url: string;
  let http: string;
  beforeAll(async () => {
    ({ gateway, url, http } = await startGateway({
      connectRateLimit: { perIpPerMinute: 1_000_000, perUserPerMinute: 1_000_000 },
      duplicateLogin: 'allow',
      maxConnectionsPerUser: 10_000,
    }));
  });
  afterAll(() => gateway.close());

  it(`survives ${TOTAL_CONNECTIONS} connections sending random and mutated frames`, async () => {
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => signToken(`fuzz${i}`)));
    const samples = fc.sample(fc.tuple(fc.array(messageArb, { minLength: 1, maxLength: MESSAGES_PER_CONNECTION }), fc.boolean()), {
      numRuns: TOTAL_CONNECTIONS,
      seed: 42,
    });
    const codes = new Map<number, number>();
    for (let i = 0; i < samples.length; i += CONCURRENCY) {
      const wave = samples.slice(i, i + CONCURRENCY);
      const results = await Promise.all(wave.map(([messages, hs], j) => runClient(url, tokens[(i + j) % tokens.length]!, messages, hs)));
      for (const code of results) codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(unhandled).toEqual([]);
    expect((await httpGet(`${http}/healthz`)).status).toBe(200);
    // Every socket ended with a code from our table or a normal client close, never 1011 (server fault).
    expect(codes.has(1011)).toBe(false);
    const total = [...codes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(TOTAL_CONNECTIONS);
    // The gateway forgot every connection.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.connections.size).toBe(0);
    console.log('close codes seen:', Object.fromEntries([...codes].sort((a, b) => a[0] - b[0])));
  }, 120_000);
});
