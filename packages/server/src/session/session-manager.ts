import { randomBytes, randomUUID } from 'node:crypto';
import { type Clock, CloseCode, encodeMessage, type MessageRegistry, Priority, type TimerHandle } from '@mmo/protocol';
import type { Logger } from 'pino';
import type { SendOptions } from '../router/router.js';
import { MmoSession } from './mmo-session.js';
import { ResumeTokenSigner } from './resume-token.js';
import { sessionDefaults, type SessionOptions } from './session-options.js';

/** Why a resume token was not honoured (the client then gets a fresh session). */
export type ResumeRejection = 'malformed' | 'bad_signature' | 'expired' | 'foreign' | 'unknown' | 'reused';

/** Result of opening a session for a handshake. */
export interface OpenedSession {
  session: MmoSession;
  resumed: boolean;
  /** True when this is the first socket of a session created on the HTTP side. */
  upgraded: boolean;
  /** Token the client must keep for its next resume (single use). */
  resumeToken: string;
  /** Set when a resume was asked for and refused. */
  rejection: ResumeRejection | undefined;
}

/** Lifecycle hooks of sessions. */
export interface SessionLifecycle {
  created(session: MmoSession): void;
  resumed(session: MmoSession): void;
  upgraded(session: MmoSession): void;
  disconnected(session: MmoSession, code: number, reason: string): void;
  expired(session: MmoSession): void;
}

/** Close codes after which a session is over at once instead of waiting for a resume. */
const ENDS_SESSION = new Set<number>([CloseCode.KICKED, CloseCode.REPLACED, CloseCode.SESSION_LOST, CloseCode.AUTH_FAILED]);

/**
 * Every session of this node: creation, resume (signed single-use tokens bound to the user),
 * detach with a grace period on the injected clock, expiry, and sends to sessions whether or not a
 * socket carries them (reliable messages wait in the outbox and are replayed on resume).
 */
export class SessionManager {
  private readonly sessions = new Map<string, MmoSession>();
  private readonly graceTimers = new Map<string, TimerHandle>();
  private readonly options: Readonly<Required<Omit<SessionOptions, 'resumeTokenSecret'>>>;
  private readonly signer: ResumeTokenSigner;

  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      registry: MessageRegistry;
      lifecycle: SessionLifecycle;
      options?: SessionOptions;
    },
  ) {
    const given = Object.fromEntries(Object.entries(deps.options ?? {}).filter(([, v]) => v !== undefined));
    this.options = { ...sessionDefaults, ...given };
    this.signer = new ResumeTokenSigner(deps.options?.resumeTokenSecret ?? randomBytes(32));
  }

  get size(): number {
    return this.sessions.size;
  }

  get(sessionId: string): MmoSession | undefined {
    return this.sessions.get(sessionId);
  }

  all(): IterableIterator<MmoSession> {
    return this.sessions.values();
  }

  /**
   * Creates a session before any socket (the HTTP side of a unified session): the returned token
   * lets the game client's WebSocket attach to it (a "session upgraded" event follows). It expires
   * like a detached session if no socket comes within the grace period.
   */
  createSession(userId: string): { session: MmoSession; resumeToken: string } {
    const session = this.newSession(userId);
    this.startGrace(session);
    return { session, resumeToken: this.issueToken(session) };
  }

  /** Opens the session of a handshaking connection: resume when the token is good, else fresh. */
  open(userId: string, resumeToken: string | undefined, lastReceivedSequence: number): OpenedSession {
    let rejection: ResumeRejection | undefined;
    if (resumeToken !== undefined && resumeToken !== '') {
      const found = this.checkToken(userId, resumeToken);
      if (typeof found === 'string') {
        rejection = found;
      } else {
        const upgraded = found.state === 'new';
        this.stopGrace(found);
        found.state = 'attached';
        found.detachedAtMs = undefined;
        found.applyPeerAck(lastReceivedSequence);
        if (upgraded) this.deps.lifecycle.upgraded(found);
        else this.deps.lifecycle.resumed(found);
        return { session: found, resumed: !upgraded, upgraded, resumeToken: this.issueToken(found), rejection: undefined };
      }
    }
    const session = this.newSession(userId);
    session.state = 'attached';
    return { session, resumed: false, upgraded: false, resumeToken: this.issueToken(session), rejection };
  }

  /** The socket of `session` closed with `code`: start the grace period, or end it now. */
  detach(session: MmoSession, code: number, reason: string): void {
    if (session.state !== 'attached') return;
    this.deps.lifecycle.disconnected(session, code, reason);
    if (ENDS_SESSION.has(code)) {
      this.end(session);
      return;
    }
    session.state = 'detached';
    session.detachedAtMs = this.deps.clock.now();
    this.startGrace(session);
  }

  /** Ends a session at once (kick, outbox overflow): it can no longer be resumed. */
  end(session: MmoSession): void {
    if (session.state === 'ended') return;
    this.stopGrace(session);
    session.state = 'ended';
    session.outbox.clear();
    this.sessions.delete(session.id);
  }

  /**
   * Encodes a message for `session`. Reliable messages take the next sequence and go into the
   * outbox (whether or not a socket is attached). Returns the frame to write, or 'overflow' when
   * the outbox is full (the caller ends the session).
   */
  encodeFor(session: MmoSession, type: number, payload: unknown, options: SendOptions & { reliable: boolean; priority: number }): Uint8Array | 'overflow' {
    const body = this.deps.registry.pack(type, payload);
    const sequence = options.reliable ? session.takeOutSequence() : 0;
    const frame = encodeMessage({
      type,
      payload: body,
      sequence,
      timestamp: this.deps.clock.now(),
      priority: options.priority,
      requiresAck: options.requiresAck ?? false,
      ack: session.inboundAck,
    });
    if (options.reliable && !session.outbox.push({ sequence, frame })) return 'overflow';
    return frame;
  }

  /** Queues a reliable message for a detached session (delivered on resume). */
  sendDetached(session: MmoSession, type: number, payload: unknown, options: SendOptions = {}): 'queued' | 'overflow' | 'ended' {
    if (session.state === 'ended') return 'ended';
    const descriptor = this.deps.registry.require(type);
    if (!(options.reliable ?? descriptor.reliable)) return 'queued'; // volatile: superseded, never replayed
    const result = this.encodeFor(session, type, payload, { ...options, reliable: true, priority: options.priority ?? descriptor.priority ?? Priority.NORMAL });
    if (result === 'overflow') {
      this.deps.logger.warn({ session: session.id }, 'outbox overflow while detached: session ended');
      this.end(session);
      return 'overflow';
    }
    return 'queued';
  }

  private newSession(userId: string): MmoSession {
    const session = new MmoSession(randomUUID(), userId, this.deps.clock.now(), {
      maxMessages: this.options.maxOutboxMessages,
      maxBytes: this.options.maxOutboxBytes,
      maxInboundBuffered: this.options.maxInboundBuffered,
    });
    this.sessions.set(session.id, session);
    this.deps.lifecycle.created(session);
    return session;
  }

  private issueToken(session: MmoSession): string {
    session.nonce = ResumeTokenSigner.nonce();
    return this.signer.sign({
      sessionId: session.id,
      nonce: session.nonce,
      userId: session.userId,
      expiresAtMs: this.deps.clock.now() + this.options.resumeTokenTtlMs,
    });
  }

  private checkToken(userId: string, token: string): MmoSession | ResumeRejection {
    const claims = this.signer.verify(token, this.deps.clock.now());
    if (typeof claims === 'string') return claims;
    if (claims.userId !== userId) return 'foreign';
    const session = this.sessions.get(claims.sessionId);
    if (session === undefined || session.state === 'ended') return 'unknown';
    if (session.userId !== userId) return 'foreign';
    // Single use: each attach rotates the nonce, so an old token never works again.
    if (session.nonce !== claims.nonce) return 'reused';
    return session;
  }

  private startGrace(session: MmoSession): void {
    this.stopGrace(session);
    const timer = this.deps.clock.setTimeout(() => {
      this.graceTimers.delete(session.id);
      if (session.state !== 'detached' && session.state !== 'new') return;
      this.end(session);
      this.deps.lifecycle.expired(session);
    }, this.options.graceMs);
    this.graceTimers.set(session.id, timer);
  }

  private stopGrace(session: MmoSession): void {
    const timer = this.graceTimers.get(session.id);
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.graceTimers.delete(session.id);
  }
}
