/**
 * An in-process fake gateway for unit tests on a ManualClock: speaks the real frame codec and the
 * gateway's session rules (handshake, resume tokens, replay after the client's ack, exactly-once
 * inbound, piggy-backed acks, PONG, TIME_SYNC, ACK/ERROR), with hooks to refuse, drop, blackhole
 * and disconnect. Delivery in both directions is a clock timer of `latencyMs` (0 by default), so
 * `clock.advance(0)` runs a whole exchange without re-entrancy.
 */
import {
  type BuiltinPayloadInit,
  type BuiltinType,
  CloseCode,
  createMessageRegistry,
  decodeMessage,
  encodeMessage,
  ErrorCode,
  type ManualClock,
  type MessageRegistry,
  MessageType,
  type MmoEnvelope,
} from '@mmo/protocol';
import type { Transport, TransportFactory, TransportHandlers, TransportRequest } from '../src/index.js';

export interface FakeSession {
  id: string;
  nonce: number;
  inboundAck: number;
  nextOut: number;
  peerAck: number;
  outbox: Array<{ sequence: number; type: number; payload: Uint8Array }>;
  /** Reliable client messages handed to the "handler", in order. */
  handled: MmoEnvelope[];
  ended: boolean;
}

/** What a test can do to one connection. */
export class FakeConnection {
  state: 'opening' | 'open' | 'closed' = 'opening';
  session: FakeSession | undefined;
  /** Every envelope the client sent on this connection. */
  readonly received: MmoEnvelope[] = [];
  /** When true, client bytes vanish (a dead link): nothing is processed or answered. */
  blackhole = false;
  /** When true, nothing is sent to the client either. */
  mute = false;

  constructor(
    readonly server: FakeServer,
    readonly request: TransportRequest,
    private readonly handlers: TransportHandlers,
  ) {}

  /** Opens the socket (after latency). */
  open(): void {
    this.later(() => {
      if (this.state !== 'opening') return;
      this.state = 'open';
      this.handlers.onOpen();
    });
  }

  /** Refuses before open, as a browser sees a refused upgrade (1006), optionally with a status. */
  refuse(httpStatus?: number): void {
    this.later(() => this.closeNow(1006, '', httpStatus));
  }

  /** Closes with `code` (after latency). */
  close(code: number, reason = ''): void {
    this.later(() => this.closeNow(code, reason));
  }

  /** Sends DISCONNECT then closes, like the gateway's `close({ disconnect })`. */
  disconnect(closeCode: number, hint: { code: number; reason?: string; reconnect: boolean; retryAfterMs?: number }): void {
    this.sendVolatile(MessageType.DISCONNECT, { code: hint.code, reason: hint.reason ?? '', reconnect: hint.reconnect, retryAfterMs: hint.retryAfterMs ?? 0 });
    this.close(closeCode, hint.reason ?? '');
  }

  /** Sends a reliable message of the session (kept in the outbox until acknowledged). */
  sendReliable<K extends BuiltinType>(type: K, payload: BuiltinPayloadInit<K>): number;
  sendReliable(type: number, payload: unknown): number;
  sendReliable(type: number, payload: unknown): number {
    const s = this.session!;
    const sequence = s.nextOut++;
    const bytes = this.server.registry.pack(type, payload);
    s.outbox.push({ sequence, type, payload: bytes });
    this.write({ type, sequence, payload: bytes });
    return sequence;
  }

  /** Sends a volatile message. */
  sendVolatile<K extends BuiltinType>(type: K, payload: BuiltinPayloadInit<K>): void;
  sendVolatile(type: number, payload: unknown): void;
  sendVolatile(type: number, payload: unknown): void {
    this.write({ type, sequence: 0, payload: this.server.registry.pack(type, payload) });
  }

  /** Writes raw bytes to the client. */
  writeRaw(bytes: Uint8Array): void {
    this.later(() => {
      if (this.state === 'open' && !this.mute) this.handlers.onMessage(bytes);
    });
  }

  write(init: { type: number; sequence: number; payload: Uint8Array }): void {
    const ack = this.session?.inboundAck ?? 0;
    this.writeRaw(encodeMessage({ ...init, ack, timestamp: this.server.now() }));
  }

  /** The client's transport. */
  readonly transport: Transport = {
    send: (data) => {
      const copy = data.slice();
      this.later(() => {
        if (this.state !== 'open' || this.blackhole) return;
        for (const env of decodeMessage(copy)) this.server.handle(this, env);
      });
    },
    close: (code, reason) => {
      // The client gave up on us: report the close as the socket layer would.
      this.later(() => this.closeNow(code ?? 1005, reason ?? ''));
    },
  };

  closeNow(code: number, reason: string, httpStatus?: number): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.handlers.onClose({ code, reason, wasOpen, ...(httpStatus === undefined ? {} : { httpStatus }) });
  }

  private later(fn: () => void): void {
    this.server.clock.setTimeout(fn, this.server.latencyMs);
  }
}

/** Per-test behaviour of the fake gateway. */
export interface FakeServerOptions {
  /** Open every connection automatically. @default true */
  autoOpen?: boolean;
  /** Heartbeat interval announced. @default 10000 */
  heartbeatIntervalMs?: number;
  /** Server clock minus client clock. @default 0 */
  serverClockOffsetMs?: number;
  /** One-way delivery delay. @default 0 */
  latencyMs?: number;
  registry?: MessageRegistry;
}

export class FakeServer {
  readonly connections: FakeConnection[] = [];
  readonly sessions = new Map<string, FakeSession>();
  readonly registry: MessageRegistry;
  latencyMs: number;
  autoOpen: boolean;
  heartbeatIntervalMs: number;
  serverClockOffsetMs: number;
  /** Sessions may not be resumed while set (the reason is sent in RESUME_REJECTED). */
  refuseResume: string | undefined;
  /** Called for every non-system message the client sends (after dedup for reliable ones). */
  onMessage: ((conn: FakeConnection, env: MmoEnvelope) => void) | undefined;
  private nextSession = 1;

  constructor(
    readonly clock: ManualClock,
    options: FakeServerOptions = {},
  ) {
    this.registry = options.registry ?? createMessageRegistry();
    this.latencyMs = options.latencyMs ?? 0;
    this.autoOpen = options.autoOpen ?? true;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 10_000;
    this.serverClockOffsetMs = options.serverClockOffsetMs ?? 0;
  }

  now(): number {
    return this.clock.now() + this.serverClockOffsetMs;
  }

  /** The transport factory to give the client. */
  readonly factory: TransportFactory = (request, handlers) => {
    const conn = new FakeConnection(this, request, handlers);
    this.connections.push(conn);
    if (this.autoOpen) conn.open();
    return conn.transport;
  };

  /** The newest connection. */
  get last(): FakeConnection {
    const c = this.connections[this.connections.length - 1];
    if (c === undefined) throw new Error('no connection yet');
    return c;
  }

  handle(conn: FakeConnection, env: MmoEnvelope): void {
    conn.received.push(env);
    if (conn.session === undefined) {
      if (env.type === MessageType.HANDSHAKE) this.handshake(conn, env);
      return;
    }
    const s = conn.session;
    if (env.ack > s.peerAck) {
      s.peerAck = env.ack;
      s.outbox = s.outbox.filter((m) => m.sequence > env.ack);
    }
    if (env.sequence > 0) {
      if (env.sequence <= s.inboundAck) {
        if (env.requiresAck) conn.sendReliable(MessageType.ACK, { sequence: env.sequence });
        return; // duplicate
      }
      if (env.sequence !== s.inboundAck + 1) throw new Error(`fake server got sequence ${env.sequence} after ${s.inboundAck}: a gap`);
      s.inboundAck = env.sequence;
      s.handled.push(env);
    }
    switch (env.type) {
      case MessageType.HEARTBEAT: {
        const hb = this.registry.unpack(MessageType.HEARTBEAT, env.payload);
        conn.sendVolatile(MessageType.PONG, { clientTime: hb.clientTime, serverTime: this.now() });
        return;
      }
      case MessageType.TIME_SYNC: {
        const ts = this.registry.unpack(MessageType.TIME_SYNC, env.payload);
        conn.sendVolatile(MessageType.TIME_SYNC, { clientTime: ts.clientTime, serverReceiveTime: this.now(), serverSendTime: this.now(), serverTick: 0, tickRate: 0 });
        return;
      }
      case MessageType.ACK:
        return;
      default:
        this.onMessage?.(conn, env);
        if (env.requiresAck && env.sequence > 0) conn.sendReliable(MessageType.ACK, { sequence: env.sequence });
    }
  }

  private handshake(conn: FakeConnection, env: MmoEnvelope): void {
    const hs = this.registry.unpack(MessageType.HANDSHAKE, env.payload);
    const token = conn.request.resumeToken || hs.resumeToken;
    let session: FakeSession | undefined;
    let rejection: string | undefined;
    if (token !== '') {
      const [id, nonce] = token.split(':');
      const found = this.sessions.get(id ?? '');
      if (this.refuseResume !== undefined) rejection = this.refuseResume;
      else if (found === undefined || found.ended) rejection = 'unknown';
      else if (String(found.nonce) !== nonce) rejection = 'reused';
      else session = found;
    }
    const resumed = session !== undefined;
    if (session === undefined) {
      session = { id: `s${this.nextSession++}`, nonce: 0, inboundAck: 0, nextOut: 1, peerAck: 0, outbox: [], handled: [], ended: false };
      this.sessions.set(session.id, session);
    } else {
      for (const other of this.connections) if (other !== conn && other.session === session) other.session = undefined;
      session.peerAck = Math.max(session.peerAck, hs.lastReceivedSequence);
      session.outbox = session.outbox.filter((m) => m.sequence > session!.peerAck);
    }
    session.nonce++;
    conn.session = session;
    if (rejection !== undefined) {
      conn.sendReliable(MessageType.ERROR, { code: ErrorCode.RESUME_REJECTED, message: 'resume refused', requestId: '', details: { reason: rejection } });
    }
    conn.sendVolatile(MessageType.CONNECTION_ESTABLISHED, {
      sessionId: session.id,
      serverTime: this.now(),
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      resumeToken: `${session.id}:${session.nonce}`,
      resumed,
    });
    conn.sendVolatile(MessageType.AUTH_RESULT, { success: true, userId: 'u1' });
    if (resumed) for (const m of session.outbox) conn.write(m);
  }
}

export { CloseCode };
