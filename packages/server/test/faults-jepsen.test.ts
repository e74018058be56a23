import { createMessageRegistry, decodeMessage, encodeMessage, jsonSchema, MessageType } from '@mmo/protocol';
import { DeliveryChecker, FaultyProxy } from '@mmo/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Gateway } from '../src/index.js';
import { signToken, startGateway } from './helpers.js';

/**
 * Reliable traffic both ways through a fault-injecting TCP proxy (latency and jitter, stalls without
 * FIN, resets, frames cut mid-way), with a minimal resuming client written here from the protocol
 * rules (resend what the server has not acked, dedup what it replays). A Jepsen-style checker counts
 * what each side sent, saw acknowledged and delivered: 0 lost, 0 duplicated, in order.
 */
const reg = createMessageRegistry();
const Note = reg.register({ type: 1000, name: 'Note', schema: jsonSchema<{ id: number }>() });

class ResumingClient {
  ws: WebSocket | undefined;
  resumeToken = '';
  /** Highest contiguous server sequence delivered (our ack). */
  received = 0;
  /** Our reliable stream: sequence -> encoded payload id, kept until the server acks it. */
  private pending = new Map<number, number>();
  private nextSeq = 1;
  serverAck = 0;
  reconnects = 0;
  stopped = false;
  lastRejection = '';
  /** Nothing but the handshake goes out before CONNECTION_ESTABLISHED (the protocol's rule). */
  private established = false;
  private readonly early = new Map<number, number>();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly c2s: DeliveryChecker,
    private readonly s2c: DeliveryChecker,
  ) {}

  start(): void {
    const ws = new WebSocket(this.url, ['mmo.v1'], { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    let established = false;
    this.established = false;
    ws.on('open', () => {
      ws.send(
        encodeMessage({
          type: MessageType.HANDSHAKE,
          payload: reg.pack(MessageType.HANDSHAKE, { protocolVersion: 1, resumeToken: this.resumeToken, lastReceivedSequence: this.received }),
        }),
      );
    });
    ws.on('message', (data: Buffer) => {
      let envelopes;
      try {
        envelopes = decodeMessage(new Uint8Array(data));
      } catch {
        ws.terminate();
        return;
      }
      for (const env of envelopes) {
        this.onAck(env.ack);
        if (env.type === MessageType.ERROR && env.sequence === 0) continue;
        if (env.type === MessageType.ERROR) {
          const e = reg.unpack(MessageType.ERROR, env.payload);
          if (e.code === 2004) this.lastRejection = JSON.stringify(e.details);
        }
        if (env.type === MessageType.CONNECTION_ESTABLISHED) {
          const ce = reg.unpack(MessageType.CONNECTION_ESTABLISHED, env.payload);
          if (this.resumeToken !== '' && !ce.resumed) throw new Error(`resume refused: the session was lost ${this.lastRejection}`);
          this.resumeToken = ce.resumeToken;
          established = true;
          this.established = true;
          // Resend, in order, everything the server has not acknowledged.
          for (const [seq, id] of [...this.pending].sort((a, b) => a[0] - b[0])) this.write(seq, id);
          continue;
        }
        if (env.sequence > 0) this.onReliable(env.sequence, env.type, env.payload);
      }
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      if (!this.stopped) {
        this.reconnects++;
        setTimeout(() => this.start(), 20);
      }
    });
    ws.on('error', () => {});
    // A stalled link shows no FIN: a client notices silence and drops the socket itself.
    let lastHeard = Date.now();
    ws.on('message', () => (lastHeard = Date.now()));
    const watchdog = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return clearInterval(watchdog);
      if (Date.now() - lastHeard > 400) {
        clearInterval(watchdog);
        ws.terminate();
        return;
      }
      if (established && ws.readyState === WebSocket.OPEN) ws.send(encodeMessage({ type: MessageType.HEARTBEAT, ack: this.received }));
    }, 50);
  }

  send(id: number): void {
    const seq = this.nextSeq++;
    this.pending.set(seq, id);
    this.c2s.recordSent(id);
    this.write(seq, id);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private write(seq: number, id: number): void {
    if (this.ws?.readyState !== WebSocket.OPEN || !this.established) return; // resent after the next resume
    this.ws.send(encodeMessage({ type: Note.type, sequence: seq, ack: this.received, payload: reg.pack(Note, { id }) }));
  }

  private onAck(ack: number): void {
    if (ack <= this.serverAck) return;
    for (let s = this.serverAck + 1; s <= ack; s++) {
      const id = this.pending.get(s);
      if (id !== undefined) this.c2s.recordAcknowledged(id);
      this.pending.delete(s);
    }
    this.serverAck = ack;
  }

  private onReliable(sequence: number, type: number, payload: Uint8Array): void {
    if (sequence <= this.received) return; // a replay of something already delivered
    // Other reliable types (e.g. ERROR) still take their place in the stream: -1 = not a Note.
    this.early.set(sequence, type === Note.type ? reg.unpack(Note, payload).id : -1);
    for (let next = this.early.get(this.received + 1); next !== undefined; next = this.early.get(this.received + 1)) {
      this.early.delete(this.received + 1);
      this.received++;
      if (next >= 0) this.s2c.recordDelivered(next);
    }
  }
}

describe('reliable streams through stalls, resets and cut frames', () => {
  let gateway: Gateway;
  let proxy: FaultyProxy;
  beforeAll(async () => {
    ({ gateway } = await startGateway({
      registry: reg,
      connectRateLimit: { perIpPerMinute: 100_000, perUserPerMinute: 100_000 },
      connection: { rateLimits: { defaultLimit: { burst: 100_000, perSecond: 100_000 } } },
    }));
    proxy = await FaultyProxy.start(gateway.address().port);
  });
  afterAll(async () => {
    await proxy.close();
    await gateway.close();
  });

  it('0 lost, 0 duplicated, in order, both directions', async () => {
    const c2s = new DeliveryChecker();
    const s2c = new DeliveryChecker();
    gateway.router.on(Note, (ctx) => c2s.recordDelivered(ctx.payload.id));
    const client = new ResumingClient(`ws://127.0.0.1:${proxy.port}/ws`, await signToken('jepsen'), c2s, s2c);
    const connected = new Promise<{ sessionId: string }>((resolve) => gateway.events.once('connection', resolve));
    client.start();
    const { sessionId } = await connected;

    // Server -> client: ids sent on the session; "acknowledged" when the client's ack covers them.
    const s2cSeq = new Map<number, number>();
    let nextServerId = 1;
    const serverSend = () => {
      const session = gateway.sessions.get(sessionId)!;
      const id = nextServerId++;
      s2c.recordSent(id);
      gateway.sendToSession(sessionId, Note.type, { id });
      s2cSeq.set(session.lastOutSequence, id);
    };
    const markServerAcks = () => {
      const acked = gateway.sessions.get(sessionId)?.peerAck ?? 0;
      for (const [seq, id] of s2cSeq) if (seq <= acked) s2c.recordAcknowledged(id);
    };

    let nextClientId = 1;
    const faults = [
      () => proxy.configure({ latencyMs: 20, jitterMs: 40 }),
      () => proxy.stall(),
      () => proxy.resetAll(),
      () => proxy.cutAfterBytes(13),
      () => proxy.configure({ latencyMs: 0, jitterMs: 0 }),
      () => proxy.resetAll(),
    ];
    const started = Date.now();
    let round = 0;
    while (Date.now() - started < 4_000) {
      for (let i = 0; i < 5; i++) {
        client.send(nextClientId++);
        serverSend();
      }
      if ((Date.now() - started) / 600 > round) faults[round++ % faults.length]!();
      markServerAcks();
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    // Heal the link and let every message through.
    proxy.configure({ latencyMs: 0, jitterMs: 0 });
    proxy.resetAll(); // ends any stalled pair; the client resumes over a clean link
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      markServerAcks();
      const a = c2s.report();
      const b = s2c.report();
      if (a.delivered === a.sent && b.delivered === b.sent && client.pendingCount === 0 && b.acknowledged === b.sent) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    client.stopped = true;
    client.ws?.close();
    const up = c2s.report();
    const down = s2c.report();
    console.log('client->server', up, 'server->client', down, 'reconnects', client.reconnects, 'proxy connections', proxy.accepted);
    expect(client.reconnects).toBeGreaterThanOrEqual(3);
    for (const report of [up, down]) {
      expect(report.lost).toBe(0);
      expect(report.duplicated).toBe(0);
      expect(report.outOfOrder).toBe(0);
      expect(report.delivered).toBe(report.sent);
      expect(report.acknowledged).toBe(report.sent);
    }
  }, 40_000);
});
