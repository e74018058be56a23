import {
  type Clock,
  CloseCode,
  decodeMessage,
  encodeMessage,
  ErrorCode,
  FRAME_HEADER_BYTES,
  isProtocolError,
  type MessageRegistry,
  MessageType,
  type MmoEnvelope,
  Priority,
  ProtocolErrorCode,
  isRetryableErrorCode,
} from '@mmo/protocol';
import type { Logger } from 'pino';
import type { AuthIdentity } from '../gateway/auth/index.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { MessageRateLimiter } from '../router/rate-limit/index.js';
import type { MmoConnectionInfo, SendOptions } from '../router/router.js';
import type { MmoSession } from '../session/mmo-session.js';
import type { SessionManager } from '../session/session-manager.js';
import type { ResolvedConnectionOptions } from './connection-options.js';
import { IdleMonitor } from './idle-monitor.js';
import type { InboundProcessor } from './inbound-processor.js';
import type { TransportSocket } from './transport-socket.js';
import { WriteQueue } from './write-queue/index.js';

/** How long an advanced inbound ack may wait for an outgoing frame to ride on, in ms. */
const STANDALONE_ACK_DELAY_MS = 50;

/** Longest delay a JavaScript timer accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Lifecycle of a connection. */
export type ConnectionState = 'handshaking' | 'open' | 'closing' | 'closed';

/** How a connection is being closed. */
export interface CloseIntent {
  /** WebSocket close code. */
  code: number;
  /** Short reason for the close frame and logs (max 123 bytes on the wire). */
  reason: string;
  /** When set, a DISCONNECT is sent first so the client knows why and whether to reconnect. */
  disconnect?: { code: number; reconnect: boolean; retryAfterMs?: number };
}

/** What a connection needs from the gateway around it. */
export interface ConnectionDeps {
  readonly id: string;
  readonly socket: TransportSocket;
  readonly identity: AuthIdentity;
  readonly remoteAddress: string;
  /** Resume token offered on the upgrade URL (`?resume=`), which wins over the handshake's. */
  readonly urlResumeToken: string | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: MessageRegistry;
  readonly metrics: GatewayMetrics;
  readonly options: ResolvedConnectionOptions;
  readonly inbound: InboundProcessor;
  readonly sessions: SessionManager;
  /** Called once when the connection is gone, whatever the cause. */
  readonly onClosed: (connection: Connection, code: number, reason: string) => void;
}

/**
 * One client socket: reader (decode, rate-limit, queue for in-order handling), writer (priority
 * write queue with batching and slow-consumer shedding) and heartbeat (idle monitor with a final
 * ping). Handshake and message handling live in the InboundProcessor so this file stays about I/O.
 */
export class Connection {
  state: ConnectionState = 'handshaking';
  session: MmoSession | undefined;
  /** The DISCONNECT code sent when we closed it (more specific than the close code), if any. */
  disconnectCode: number | undefined;
  /** Last RTT reported by the client's heartbeat or measured by our ping, in ms. */
  rttMs: number | undefined;
  readonly connectedAtMs: number;
  /** Aborted when the connection closes; handlers get a child of it. */
  readonly lifetime = new AbortController();

  private readonly writeQueue: WriteQueue;
  // What every send reads, kept on the connection itself: with a thousand connections written per
  // tick, each extra object on the path (here `deps`) is a cache miss.
  private readonly registry: MessageRegistry;
  private readonly sessions: SessionManager;
  private readonly trafficOut: GatewayMetrics['traffic']['out'];
  private readonly rateLimiter: MessageRateLimiter;
  private readonly idle: IdleMonitor;
  private handshakeTimer: ReturnType<Clock['setTimeout']> | undefined;
  private closeTimer: ReturnType<Clock['setTimeout']> | undefined;
  private expiryTimer: ReturnType<Clock['setTimeout']> | undefined;
  private ackTimer: ReturnType<Clock['setTimeout']> | undefined;
  /** Highest inbound ack carried by a frame we sent. */
  private advertisedAck = 0;
  private readonly pending: MmoEnvelope[] = [];
  /** Frames waiting for the session store before they may be written. */
  private durableChain: Promise<void> = Promise.resolve();
  private pendingDurable = 0;
  private draining = false;
  private protocolErrors: number[] = [];
  private closedCode: number | undefined;

  constructor(readonly deps: ConnectionDeps) {
    const { clock, options, socket } = deps;
    this.connectedAtMs = clock.now();
    this.registry = deps.registry;
    this.sessions = deps.sessions;
    this.trafficOut = deps.metrics.traffic.out;
    this.writeQueue = new WriteQueue({
      clock,
      // Game traffic (NORMAL and up: replies, actions, acks, tick output) must not wait for the
      // batching delay; frames written in one event-loop turn still share one socket write. Only
      // LOW/BACKGROUND traffic (presence, social) waits to batch.
      options: { urgentPriority: Priority.NORMAL, ...options.writeQueue },
      write: (batch, done) => socket.send(batch, done),
      // Urgent frames flush after the current I/O phase (setImmediate) rather than on a microtask:
      // replies to every message read in this loop iteration share one socket write, and none
      // waits longer than that iteration.
      scheduleMicrotask: (fn) => setImmediate(fn),
      onOverflow: ({ queuedBytes }) => this.onSlowConsumer(queuedBytes),
    });
    this.rateLimiter = new MessageRateLimiter({ clock, options: options.rateLimits ?? {} });
    this.idle = new IdleMonitor(
      clock,
      { idleTimeoutMs: options.idleTimeoutMs, finalPingTimeoutMs: options.finalPingTimeoutMs },
      () => socket.ping(),
      () => this.close({ code: CloseCode.IDLE_TIMEOUT, reason: 'idle timeout' }),
    );
    this.handshakeTimer = clock.setTimeout(() => {
      if (this.state === 'handshaking') this.close({ code: CloseCode.HANDSHAKE_TIMEOUT, reason: 'no handshake' });
    }, options.handshakeTimeoutMs);
    // A connection lives no longer than its token: at `exp` the client is told to reconnect with a
    // fresh one (the client's token callback supplies it).
    if (deps.identity.expiresAtMs > 0) this.armExpiry();
    socket.onMessage((data, isBinary) => this.onSocketMessage(data, isBinary));
    socket.onPong(() => this.noteRtt(this.idle.heard()));
    socket.onClose((code, reason) => this.onSocketClosed(code, reason));
    socket.onError((error) => deps.logger.debug({ err: error, conn: deps.id }, 'socket error'));
  }

  get id(): string {
    return this.deps.id;
  }

  get userId(): string {
    return this.deps.identity.userId;
  }

  /** Bytes waiting in this connection's write queue. */
  get queuedBytes(): number {
    return this.writeQueue.queuedBytes;
  }

  /** What handlers see of this connection. */
  info(): MmoConnectionInfo {
    return {
      connectionId: this.deps.id,
      sessionId: this.session?.id ?? '',
      userId: this.deps.identity.userId,
      claims: this.deps.identity.claims,
      remoteAddress: this.deps.remoteAddress,
    };
  }

  /** Marks the handshake done and binds the session. */
  established(session: MmoSession): void {
    this.session = session;
    this.state = 'open';
    if (this.handshakeTimer !== undefined) this.deps.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  /** Records a client-reported or measured RTT. */
  noteRtt(rttMs: number | undefined): void {
    if (rttMs === undefined || !Number.isFinite(rttMs) || rttMs < 0) return;
    this.rttMs = rttMs;
    this.deps.metrics.rtt.observe(rttMs / 1000);
  }

  /**
   * Sends a message. Reliable messages take the session's next sequence; every envelope carries
   * the session's cumulative ack of the client's stream. Returns true when the message was queued
   * or, for a reliable one, is held in the session's outbox (a resume replays it, even if this
   * connection closes as a slow consumer on it); false when it was not taken (connection closing,
   * volatile message shed, outbox overflow, which ends the session).
   */
  send(type: number, payload: unknown, options: SendOptions = {}): boolean {
    if (this.state === 'closing' || this.state === 'closed') return false;
    const registry = this.registry;
    const descriptor = registry.require(type);
    const session = this.session;
    const reliable = (options.reliable ?? descriptor.reliable) && session !== undefined;
    const priority = options.priority ?? descriptor.priority;
    let frame: Uint8Array;
    let ok: boolean;
    if (session === undefined) {
      // Before the handshake there is no stream yet: only volatile connection-control messages.
      frame = encodeMessage({ type, payload: registry.pack(type, payload), timestamp: this.deps.clock.now(), priority });
      ok = this.enqueueFrame(frame, priority, true, options.coalesceKey);
    } else {
      // Callers on the hot path (state sync) pass options with both already resolved: no copy per send.
      const resolved =
        options.reliable === reliable && options.priority === priority
          ? (options as SendOptions & { reliable: boolean; priority: number })
          : { ...options, reliable, priority };
      const encoded = this.sessions.encodeFor(session, type, payload, resolved);
      if (encoded === 'overflow') {
        this.onOutboxOverflow();
        return false;
      }
      frame = encoded.frame;
      this.advertisedAck = Math.max(this.advertisedAck, session.ackForPeer);
      const sheddable = !reliable && options.sheddable !== false;
      if (encoded.persisted === undefined && this.pendingDurable === 0) {
        const queued = this.enqueueFrame(frame, priority, sheddable, options.coalesceKey);
        // A reliable message is in the session's outbox already: if the write queue could not take
        // it (a slow consumer, whose connection closes now), the resume replays it. It was accepted,
        // and a caller that retried on false would send it twice.
        ok = queued || reliable;
      } else {
        // A reliable frame goes out only once the store has it (a node taking over must know every
        // sequence the client saw); later frames wait behind it to keep their order.
        ok = true;
        this.pendingDurable++;
        const persisted = encoded.persisted ?? Promise.resolve();
        this.durableChain = this.durableChain
          .then(() => persisted)
          .then(() => {
            this.pendingDurable--;
            this.enqueueFrame(frame, priority, sheddable, options.coalesceKey);
          });
      }
    }
    if (ok) {
      const out = this.trafficOut;
      out.messages.get(descriptor.name).inc();
      out.bytes.get(descriptor.name).inc(frame.length);
    }
    return ok;
  }

  /**
   * Queues an already-encoded frame (replay after resume uses it). Reliable frames are in the
   * outbox already, so a closed connection loses nothing: the next resume replays them.
   */
  enqueueFrame(frame: Uint8Array, priority: number, volatile: boolean, coalesceKey?: string): boolean {
    if (this.state === 'closing' || this.state === 'closed') return false;
    const result = this.writeQueue.enqueue({ bytes: frame, priority, volatile, coalesceKey });
    if (result === 'dropped' || result === 'coalesced') this.deps.metrics.messagesShed.inc();
    return result === 'queued' || result === 'coalesced';
  }

  /**
   * Writes what is queued now instead of waiting for the batching delay (within the in-flight
   * limit). State sync calls it after queueing a tick's messages: one socket write per tick.
   */
  flush(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.writeQueue.flushNow();
  }

  private onOutboxOverflow(): void {
    const session = this.session;
    this.deps.logger.warn({ conn: this.id, session: session?.id }, 'outbox overflow: session cannot be recovered');
    if (session !== undefined) this.deps.sessions.end(session);
    this.close({
      code: CloseCode.SESSION_LOST,
      reason: 'session outbox overflow',
      disconnect: { code: CloseCode.SESSION_LOST, reconnect: true },
    });
  }

  /** Sends an ERROR whose request_id is the failing message's sequence ("" for volatile ones). */
  sendError(code: number, message: string, requestSequence: number, details?: Record<string, string>): void {
    this.send(MessageType.ERROR, {
      code,
      message,
      requestId: requestSequence > 0 ? String(requestSequence) : '',
      retryable: isRetryableErrorCode(code),
      details: details ?? {},
    });
  }

  /**
   * Closes the connection: optional DISCONNECT first, then the close frame; the socket is dropped
   * if the peer does not finish the closing handshake within `closeGraceMs`. Idempotent.
   */
  close(intent: CloseIntent): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const { socket, clock, options } = this.deps;
    if (intent.disconnect !== undefined) {
      this.send(
        MessageType.DISCONNECT,
        {
          code: intent.disconnect.code,
          reason: intent.reason,
          reconnect: intent.disconnect.reconnect,
          retryAfterMs: intent.disconnect.retryAfterMs ?? 0,
        },
        { priority: Priority.CRITICAL },
      );
    }
    // Whatever is queued (an ERROR explaining the close, the DISCONNECT) goes out before the close
    // frame; a slow consumer's queue is dropped instead, since it is the problem.
    if (intent.code === CloseCode.SLOW_CONSUMER) this.writeQueue.close();
    else this.writeQueue.flushNow({ ignoreBackpressure: true });
    this.state = 'closing';
    this.closedCode = intent.code;
    this.disconnectCode = intent.disconnect?.code;
    this.lifetime.abort(new Error(`connection closing: ${intent.reason}`));
    this.stopTimers();
    socket.close(intent.code, intent.reason.slice(0, 120));
    this.closeTimer = clock.setTimeout(() => socket.terminate(), options.closeGraceMs);
  }

  /**
   * Acks normally ride on outgoing envelopes; when nothing goes out for a moment after the client's
   * reliable stream advanced, a volatile ACK carries the cumulative ack, so a client's `send`
   * settles quickly even on a quiet server.
   */
  scheduleStandaloneAck(): void {
    if (this.ackTimer !== undefined || this.session === undefined) return;
    this.ackTimer = this.deps.clock.setTimeout(() => {
      this.ackTimer = undefined;
      const session = this.session;
      if (session === undefined || this.state !== 'open') return;
      if (session.ackForPeer > this.advertisedAck) {
        this.send(MessageType.ACK, { sequence: session.ackForPeer }, { reliable: false });
      } else if (session.inboundAck > session.ackForPeer) {
        this.scheduleStandaloneAck(); // still waiting for the store to make it durable
      }
    }, STANDALONE_ACK_DELAY_MS);
  }

  /** Timers cannot wait longer than 2^31-1 ms (~24.8 days); longer expiries re-arm in steps. */
  private armExpiry(): void {
    const remaining = this.deps.identity.expiresAtMs - this.deps.clock.now();
    if (remaining <= 0) {
      this.close({ code: CloseCode.POLICY_VIOLATION, reason: 'token expired', disconnect: { code: CloseCode.TOKEN_EXPIRED, reconnect: true } });
      return;
    }
    this.expiryTimer = this.deps.clock.setTimeout(() => this.armExpiry(), Math.min(remaining, MAX_TIMER_MS));
  }

  private stopTimers(): void {
    this.idle.stop();
    if (this.expiryTimer !== undefined) this.deps.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.ackTimer !== undefined) this.deps.clock.clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    if (this.handshakeTimer !== undefined) this.deps.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private onSlowConsumer(queuedBytes: number): void {
    this.deps.metrics.slowConsumerCloses.inc();
    this.deps.logger.warn({ conn: this.id, user: this.userId, queuedBytes }, 'slow consumer: closing');
    // The queue is full, so a DISCONNECT could not get through: close with the code that says it.
    this.close({ code: CloseCode.SLOW_CONSUMER, reason: 'slow consumer' });
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.state === 'closed') return;
    const wasCode = this.closedCode ?? code;
    this.state = 'closed';
    this.stopTimers();
    if (this.closeTimer !== undefined) this.deps.clock.clearTimeout(this.closeTimer);
    this.writeQueue.close();
    this.pending.length = 0;
    if (!this.lifetime.signal.aborted) this.lifetime.abort(new Error('connection closed'));
    this.deps.onClosed(this, wasCode, reason);
  }

  private onSocketMessage(data: Uint8Array, isBinary: boolean): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.noteRtt(this.idle.heard());
    if (!isBinary) {
      this.deps.metrics.protocolErrors.inc({ code: 'TEXT_FRAME' });
      this.close({ code: CloseCode.PROTOCOL_ERROR, reason: 'binary frames only' });
      return;
    }
    let envelopes: MmoEnvelope[];
    try {
      envelopes = decodeMessage(data, {
        maxFrameBytes: this.deps.options.maxFrameBytes,
        maxFramesPerMessage: this.deps.options.maxFramesPerMessage,
      });
    } catch (error) {
      this.onUndecodable(error, data.length);
      return;
    }
    for (const env of envelopes) {
      const name = this.deps.registry.get(env.type)?.name ?? 'unknown';
      const traffic = this.deps.metrics.traffic.in;
      traffic.messages.get(name).inc();
      traffic.bytes.get(name).inc(env.payload.length + FRAME_HEADER_BYTES);
      const verdict = this.rateLimiter.check(env.type);
      if (verdict === 'close') {
        this.deps.metrics.rateLimited.inc({ message_type: name });
        this.close({
          code: CloseCode.POLICY_VIOLATION,
          reason: 'rate limit exceeded',
          disconnect: { code: CloseCode.RATE_LIMITED, reconnect: true, retryAfterMs: 5_000 },
        });
        return;
      }
      if (verdict === 'warn') {
        this.deps.metrics.rateLimited.inc({ message_type: name });
        this.sendError(ErrorCode.RATE_LIMITED, `rate limit for message type ${env.type}`, env.sequence);
        continue;
      }
      if (this.pending.length >= this.deps.options.maxPendingMessages) {
        this.close({
          code: CloseCode.POLICY_VIOLATION,
          reason: 'too many pending messages',
          disconnect: { code: CloseCode.RATE_LIMITED, reconnect: true, retryAfterMs: 5_000 },
        });
        return;
      }
      this.pending.push(env);
    }
    if (!this.draining) void this.drainPending();
  }

  /** Handles queued messages one at a time, in arrival order. */
  private async drainPending(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0 && this.state !== 'closing' && this.state !== 'closed') {
        const env = this.pending.shift()!;
        try {
          await this.deps.inbound.handle(this, env);
        } catch (error) {
          // The processor answers game errors itself; anything here is our bug: log, keep serving.
          this.deps.logger.error({ err: error, conn: this.id, type: env.type }, 'inbound processing failed');
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private onUndecodable(error: unknown, bytes: number): void {
    const code = isProtocolError(error) ? error.code : 'UNKNOWN';
    this.deps.metrics.protocolErrors.inc({ code });
    this.deps.logger.debug({ conn: this.id, code, bytes }, 'undecodable message');
    if (code === ProtocolErrorCode.MALFORMED_ENVELOPE) {
      // Frame boundaries were intact: answer and carry on, up to the garbage limit.
      this.countProtocolError(ErrorCode.MALFORMED_MESSAGE, 'malformed envelope', 0);
      return;
    }
    const closeCode =
      code === ProtocolErrorCode.FRAME_TOO_LARGE || code === ProtocolErrorCode.TOO_MANY_FRAMES
        ? CloseCode.MESSAGE_TOO_BIG
        : CloseCode.PROTOCOL_ERROR;
    this.close({ code: closeCode, reason: `framing error: ${code}` });
  }

  /**
   * Answers a bad message with ERROR and counts it; past `maxProtocolErrors` within the window the
   * connection is closed with INVALID_PAYLOAD (1007).
   */
  countProtocolError(errorCode: number, message: string, requestSequence: number): void {
    const now = this.deps.clock.now();
    const windowStart = now - this.deps.options.protocolErrorWindowMs;
    this.protocolErrors = this.protocolErrors.filter((t) => t > windowStart);
    this.protocolErrors.push(now);
    if (this.protocolErrors.length > this.deps.options.maxProtocolErrors) {
      this.close({
        code: CloseCode.INVALID_PAYLOAD,
        reason: 'too many malformed messages',
        disconnect: { code: CloseCode.TOO_MANY_ERRORS, reconnect: false },
      });
      return;
    }
    this.sendError(errorCode, message, requestSequence);
  }
}
