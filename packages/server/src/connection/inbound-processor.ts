import {
  type Clock,
  CloseCode,
  ErrorCode,
  isProtocolError,
  type MessageRegistry,
  MessageType,
  type MmoEnvelope,
  PROTOCOL_VERSION,
} from '@mmo/protocol';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { isHandlerError } from '../router/handler-error.js';
import type { HandlerContext, Router } from '../router/router.js';
import { LazySignal, settleWithin } from '../router/run-handler.js';
import type { OpenedSession } from '../session/session-manager.js';
import type { Connection } from './connection.js';

/** What the processor needs to open sessions and register established connections. */
export interface SessionBinder {
  /**
   * Opens (or resumes) the session for a handshaking connection. Returns the session, whether it
   * was resumed, and the resume token to hand to the client.
   */
  open(connection: Connection, resumeToken: string, lastReceivedSequence: number): Promise<OpenedSession>;
  /**
   * Called once the client has been told its session: register the connection, apply the
   * duplicate-login policy, replay what a resumed client has not received.
   */
  established(connection: Connection, opened: OpenedSession, lastReceivedSequence: number): void;
}

/** Dependencies of {@link InboundProcessor}. */
export interface InboundProcessorDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly registry: MessageRegistry;
  readonly router: Router;
  readonly metrics: GatewayMetrics;
  readonly sessions: SessionBinder;
  readonly serverVersion: string;
  readonly featureFlags: readonly string[];
  readonly heartbeatIntervalMs: number;
  readonly handlerTimeoutMs: number;
  /** Answers TIME_SYNC with the caller's simulation tick and rate (0/0 until state sync plugs in). */
  readonly tickInfo: (connection: Connection) => { tick: number; tickRate: number };
}

/**
 * The per-message logic after decoding: handshake, system messages (heartbeat, time sync, ack),
 * reliable-stream duplicate filtering, then the router with its timeout and error mapping.
 */
export class InboundProcessor {
  constructor(private readonly deps: InboundProcessorDeps) {}

  async handle(conn: Connection, env: MmoEnvelope): Promise<void> {
    if (conn.state === 'handshaking') {
      await this.handshake(conn, env);
      return;
    }
    const session = conn.session!;
    // Any message after the handshake shows the client has its new resume token.
    if (session.previousNonce !== undefined) conn.deps.sessions.confirmToken(session);
    if (env.ack > 0 && !conn.deps.sessions.applyPeerAck(session, env.ack)) {
      conn.countProtocolError(ErrorCode.PROTOCOL_VIOLATION, `ack ${env.ack} is beyond the last sequence sent`, env.sequence);
    }
    if (env.sequence === 0) return this.dispatch(conn, env);
    // The client's reliable stream: exactly once, in order (early arrivals wait for the gap).
    const verdict = session.inbound.offer(env.sequence, env);
    if (verdict === 'duplicate') {
      // Already handled (a resend after reconnect): never run the handler twice; re-ACK.
      if (env.requiresAck) conn.send(MessageType.ACK, { sequence: env.sequence });
      return;
    }
    if (verdict === 'refused') {
      conn.countProtocolError(ErrorCode.PROTOCOL_VIOLATION, `reliable sequence ${env.sequence} is too far ahead of ${session.inboundAck}`, env.sequence);
      return;
    }
    if (verdict === 'buffered') return;
    await this.dispatch(conn, env);
    for (const next of session.inbound.takeReady()) await this.dispatch(conn, next);
    conn.deps.sessions.noteInboundProgress(session);
    conn.scheduleStandaloneAck();
  }

  private async dispatch(conn: Connection, env: MmoEnvelope): Promise<void> {
    switch (env.type) {
      case MessageType.HEARTBEAT:
        return this.heartbeat(conn, env);
      case MessageType.TIME_SYNC:
        return this.timeSync(conn, env);
      case MessageType.ACK:
        return;
      case MessageType.HANDSHAKE:
        conn.countProtocolError(ErrorCode.PROTOCOL_VIOLATION, 'handshake already done', env.sequence);
        return;
      default:
        return this.route(conn, env);
    }
  }

  private async handshake(conn: Connection, env: MmoEnvelope): Promise<void> {
    const { registry, clock } = this.deps;
    if (env.type !== MessageType.HANDSHAKE) {
      conn.sendError(ErrorCode.HANDSHAKE_REQUIRED, 'the first message must be HANDSHAKE', env.sequence);
      conn.close({ code: CloseCode.PROTOCOL_ERROR, reason: 'handshake required' });
      return;
    }
    let hs;
    try {
      hs = registry.unpack(MessageType.HANDSHAKE, env.payload);
    } catch {
      conn.sendError(ErrorCode.INVALID_PAYLOAD, 'handshake payload does not decode', 0);
      conn.close({ code: CloseCode.INVALID_PAYLOAD, reason: 'bad handshake' });
      return;
    }
    // An empty handshake (protocol_version 0) means "the current version".
    const version = hs.protocolVersion === 0 ? PROTOCOL_VERSION : hs.protocolVersion;
    if (version !== PROTOCOL_VERSION) {
      conn.sendError(ErrorCode.UNSUPPORTED_VERSION, `protocol version ${version} not supported (server speaks ${PROTOCOL_VERSION})`, 0, {
        supported: String(PROTOCOL_VERSION),
      });
      conn.close({ code: CloseCode.UNSUPPORTED_VERSION, reason: 'unsupported protocol version' });
      return;
    }
    const token = conn.deps.urlResumeToken ?? hs.resumeToken;
    const opened = await this.deps.sessions.open(conn, token, hs.lastReceivedSequence);
    if (conn.state !== 'handshaking') return; // closed while the store answered
    const { session, resumed, resumeToken } = opened;
    conn.established(session);
    if (opened.rejection !== undefined) {
      // Told before CONNECTION_ESTABLISHED, so the client knows its old stream is gone.
      conn.sendError(ErrorCode.RESUME_REJECTED, `resume refused (${opened.rejection}): starting a new session`, 0, {
        reason: opened.rejection,
      });
    }
    conn.send(MessageType.CONNECTION_ESTABLISHED, {
      sessionId: session.id,
      serverVersion: this.deps.serverVersion,
      serverTime: clock.now(),
      heartbeatIntervalMs: this.deps.heartbeatIntervalMs,
      featureFlags: [...this.deps.featureFlags],
      resumeToken,
      resumed,
    });
    const identity = conn.deps.identity;
    conn.send(MessageType.AUTH_RESULT, {
      success: true,
      userId: identity.userId,
      expiresAt: identity.expiresAtMs,
      permissions: Array.isArray(identity.claims['permissions'])
        ? (identity.claims['permissions'] as unknown[]).filter((p): p is string => typeof p === 'string')
        : [],
    });
    this.deps.sessions.established(conn, opened, hs.lastReceivedSequence);
  }

  private heartbeat(conn: Connection, env: MmoEnvelope): void {
    let clientTime = 0;
    try {
      const hb = this.deps.registry.unpack(MessageType.HEARTBEAT, env.payload);
      clientTime = hb.clientTime;
      if (hb.rttMs > 0) conn.noteRtt(hb.rttMs);
    } catch {
      // HEARTBEAT is answered by PONG whatever it carries (DESIGN.md).
    }
    conn.send(MessageType.PONG, { clientTime, serverTime: this.deps.clock.now() });
  }

  private timeSync(conn: Connection, env: MmoEnvelope): void {
    const receivedAt = this.deps.clock.now();
    let clientTime = 0;
    try {
      clientTime = this.deps.registry.unpack(MessageType.TIME_SYNC, env.payload).clientTime;
    } catch {
      conn.countProtocolError(ErrorCode.INVALID_PAYLOAD, 'TIME_SYNC payload does not decode', env.sequence);
      return;
    }
    const { tick, tickRate } = this.deps.tickInfo(conn);
    conn.send(MessageType.TIME_SYNC, {
      clientTime,
      serverReceiveTime: receivedAt,
      serverSendTime: this.deps.clock.now(),
      serverTick: tick,
      tickRate,
    });
  }

  private async route(conn: Connection, env: MmoEnvelope): Promise<void> {
    const { registry, router, metrics, clock, logger } = this.deps;
    const descriptor = registry.get(env.type);
    const route = router.route(env.type);
    if (descriptor === undefined || route === undefined) {
      metrics.protocolErrors.inc({ code: 'UNKNOWN_MESSAGE_TYPE' });
      conn.countProtocolError(ErrorCode.UNKNOWN_MESSAGE_TYPE, `no handler for message type ${env.type}`, env.sequence);
      return;
    }
    let payload: unknown;
    try {
      payload = registry.unpack(env.type, env.payload);
    } catch (error) {
      metrics.protocolErrors.inc({ code: isProtocolError(error) ? error.code : 'MALFORMED_PAYLOAD' });
      conn.countProtocolError(ErrorCode.INVALID_PAYLOAD, `${descriptor.name} payload does not decode`, env.sequence);
      return;
    }
    const timeoutMs = route.timeoutMs ?? this.deps.handlerTimeoutMs;
    const started = performance.now();
    const lazy = new LazySignal(conn.lifetime.signal);
    const ctx: HandlerContext = {
      connection: conn.info(),
      envelope: env,
      payload,
      get signal() {
        return lazy.signal;
      },
      reply: (type, body, options) => {
        conn.send(type, body, options);
      },
      locals: new Map(),
    };
    let reachedHandler = false;
    try {
      // Fast path: with no middleware and a synchronous handler there is nothing to wait for, so
      // no timer and no promise (most game handlers are synchronous).
      let outcome: void | Promise<void>;
      if (router.hasMiddleware) {
        outcome = router.run(ctx, async () => {
          reachedHandler = true;
          await route.handler(ctx);
        });
      } else {
        reachedHandler = true;
        outcome = route.handler(ctx);
      }
      if (outcome !== undefined && typeof (outcome as Promise<void>).then === 'function') {
        await settleWithin(clock, env.type, timeoutMs, outcome as Promise<void>, (error) => lazy.abort(error));
      }
      // Middleware that stopped the message (did not call next) gets no ACK.
      if (env.requiresAck && reachedHandler) conn.send(MessageType.ACK, { sequence: env.sequence });
    } catch (error) {
      this.answerFailure(conn, env, descriptor.name, error, logger);
    } finally {
      lazy.release();
      metrics.handlerDurationByType.get(descriptor.name).observe((performance.now() - started) / 1000);
    }
  }

  private answerFailure(conn: Connection, env: MmoEnvelope, name: string, error: unknown, logger: Logger): void {
    const { metrics } = this.deps;
    if (isHandlerError(error)) {
      metrics.handlerErrors.inc({ message_type: name, code: String(error.errorCode) });
      conn.sendError(error.errorCode, error.message, env.sequence, { ...error.details });
      return;
    }
    if (error instanceof Error && error.name === 'HandlerTimeoutError') {
      metrics.handlerErrors.inc({ message_type: name, code: String(ErrorCode.HANDLER_TIMEOUT) });
      logger.warn({ conn: conn.id, type: env.type }, 'handler timed out');
      conn.sendError(ErrorCode.HANDLER_TIMEOUT, `handler for ${name} timed out`, env.sequence);
      return;
    }
    metrics.handlerErrors.inc({ message_type: name, code: String(ErrorCode.INTERNAL) });
    logger.error(
      { err: error, conn: conn.id, session: conn.session?.id, user: conn.userId, type: env.type },
      'handler failed',
    );
    conn.sendError(ErrorCode.INTERNAL, 'internal error', env.sequence);
  }
}
