import { randomBytes, randomUUID } from 'node:crypto';
import { type Clock, CloseCode, encodeMessage, type MessageRegistry, Priority, type TimerHandle } from '@mmo/protocol';
import type { Logger } from 'pino';
import type { SendOptions } from '../router/router.js';
import { definedOnly } from '../config/defined-only.js';
import { MmoSession } from './mmo-session.js';
import { ResumeTokenSigner } from './resume-token.js';
import { sessionDefaults, type SessionOptions } from './session-options.js';
import type { SessionStore, StoredSession } from './store/session-store.js';

/** Why a resume token was not honoured (the client then gets a fresh session). */
export type ResumeRejection = 'malformed' | 'bad_signature' | 'expired' | 'foreign' | 'unknown' | 'reused' | 'unavailable';

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

/** An encoded outbound message; reliable ones may still be on their way to the store. */
export interface EncodedOutbound {
  frame: Uint8Array;
  /** Resolves once the frame is durable; undefined when nothing needs waiting for. */
  persisted: Promise<void> | undefined;
}

/** Lifecycle hooks of sessions. */
export interface SessionLifecycle {
  created(session: MmoSession): void;
  resumed(session: MmoSession): void;
  upgraded(session: MmoSession): void;
  disconnected(session: MmoSession, code: number, reason: string): void;
  expired(session: MmoSession): void;
  /** The session is gone for good (expired, kicked, replaced, lost, or closed by the server); it can no longer resume. */
  ended(session: MmoSession): void;
}

/** Dependencies of {@link SessionManager}. */
export interface SessionManagerDeps {
  clock: Clock;
  logger: Logger;
  registry: MessageRegistry;
  lifecycle: SessionLifecycle;
  options?: SessionOptions;
  /**
   * Shared store (e.g. Redis) so sessions survive this process and resume on any node. Without
   * one, sessions live in this manager only (the embedded default).
   */
  store?: SessionStore;
  /** This node's id, recorded as the owner of the sessions it carries. */
  nodeId?: string;
}

/** A token's nonce is good if it is the current one or the not-yet-confirmed previous one. */
function acceptsNonce(session: MmoSession, nonce: string): boolean {
  return nonce === session.nonce || (session.previousNonce !== undefined && nonce === session.previousNonce);
}

/** Close codes after which a session is over at once instead of waiting for a resume. */
const ENDS_SESSION = new Set<number>([CloseCode.KICKED, CloseCode.REPLACED, CloseCode.SESSION_LOST, CloseCode.AUTH_FAILED]);

/**
 * Every session of this node: creation, resume (signed single-use tokens bound to the user),
 * detach with a grace period on the injected clock, expiry, and sends to sessions whether or not a
 * socket carries them (reliable messages wait in the outbox and are replayed on resume). With a
 * store, every change is written through in order, and a session can resume on another node.
 */
export class SessionManager {
  private readonly sessions = new Map<string, MmoSession>();
  private readonly graceTimers = new Map<string, TimerHandle>();
  private readonly options: Readonly<Required<Omit<SessionOptions, 'resumeTokenSecret'>>>;
  private readonly signer: ResumeTokenSigner;
  private readonly store: SessionStore | undefined;
  readonly nodeId: string;
  private refreshTimer: TimerHandle | undefined;

  constructor(private readonly deps: SessionManagerDeps) {
    this.options = { ...sessionDefaults, ...definedOnly(deps.options ?? {}) };
    this.signer = new ResumeTokenSigner(deps.options?.resumeTokenSecret ?? randomBytes(32));
    this.store = deps.store;
    this.nodeId = deps.nodeId ?? randomUUID();
    if (this.store !== undefined) this.scheduleRefresh();
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
  async createSession(userId: string): Promise<{ session: MmoSession; resumeToken: string }> {
    const session = this.newSession(userId);
    const resumeToken = this.issueToken(session);
    await this.persistNew(session, '', this.options.graceMs);
    this.startGrace(session);
    return { session, resumeToken };
  }

  /** Opens the session of a handshaking connection: resume when the token is good, else fresh. */
  async open(userId: string, resumeToken: string | undefined, lastReceivedSequence: number): Promise<OpenedSession> {
    let rejection: ResumeRejection | undefined;
    if (resumeToken !== undefined && resumeToken !== '') {
      const found = await this.claimByToken(userId, resumeToken);
      if (typeof found === 'string') {
        rejection = found;
      } else {
        const { session, nonce } = found;
        const upgraded = session.state === 'new';
        this.stopGrace(session);
        session.state = 'attached';
        session.detachedAtMs = undefined;
        this.applyPeerAck(session, lastReceivedSequence);
        // Rewrite the durable copy from ours: it may have been lost (store restart) or be stale.
        this.persist(session, (store) => store.replace(this.record(session, this.nodeId), session.outbox.after(0), this.attachedTtlMs()));
        if (upgraded) this.deps.lifecycle.upgraded(session);
        else this.deps.lifecycle.resumed(session);
        return { session, resumed: !upgraded, upgraded, resumeToken: this.signToken(session, nonce), rejection: undefined };
      }
    }
    const session = this.newSession(userId);
    session.state = 'attached';
    const token = this.issueToken(session);
    await this.persistNew(session, this.nodeId, this.attachedTtlMs());
    return { session, resumed: false, upgraded: false, resumeToken: token, rejection };
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
    this.persist(session, (store) => store.setOwner(session.id, '', this.options.graceMs));
    this.startGrace(session);
  }

  /** Ends a session at once (kick, outbox overflow, expiry): it can no longer be resumed. */
  end(session: MmoSession): void {
    if (session.state === 'ended') return;
    this.stopGrace(session);
    session.state = 'ended';
    session.outbox.clear();
    this.sessions.delete(session.id);
    this.persist(session, (store) => store.delete(session.id));
    this.deps.lifecycle.ended(session);
  }

  /** Applies the client's cumulative ack (trims the outbox, here and in the store). */
  applyPeerAck(session: MmoSession, ack: number): boolean {
    const before = session.peerAck;
    const valid = session.applyPeerAck(ack);
    if (session.peerAck > before) {
      const peerAck = session.peerAck;
      this.persist(session, (store) => store.ackOutbox(session.id, peerAck));
    }
    return valid;
  }

  /**
   * Records that handlers were handed the client's stream up to `session.inboundAck`; with a
   * store, the ack sent to the client advances only once it is durable.
   */
  noteInboundProgress(session: MmoSession): void {
    const ack = session.inboundAck;
    if (!session.durable) return;
    this.persist(session, async (store) => {
      await store.setInboundAck(session.id, ack);
      session.durableInboundAck = Math.max(session.durableInboundAck, ack);
    });
  }

  /**
   * Encodes a message for `session`. Reliable messages take the next sequence and go into the
   * outbox (whether or not a socket is attached), and into the store when there is one. Returns
   * 'overflow' when the outbox is full (the caller ends the session).
   */
  encodeFor(session: MmoSession, type: number, payload: unknown, options: SendOptions & { reliable: boolean; priority: number }): EncodedOutbound | 'overflow' {
    const body = this.deps.registry.pack(type, payload);
    const sequence = options.reliable ? session.takeOutSequence() : 0;
    const frame = encodeMessage({
      type,
      payload: body,
      sequence,
      timestamp: this.deps.clock.now(),
      priority: options.priority,
      requiresAck: options.requiresAck ?? false,
      ack: session.ackForPeer,
    });
    if (!options.reliable) return { frame, persisted: undefined };
    if (!session.outbox.push({ sequence, frame })) return 'overflow';
    if (!session.durable) return { frame, persisted: undefined };
    return { frame, persisted: this.persist(session, (store) => store.appendOutbox(session.id, { sequence, frame })) };
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

  /** The client used the session after its (re)attach, so it holds the newest token. */
  confirmToken(session: MmoSession): void {
    if (session.previousNonce === undefined) return;
    session.previousNonce = undefined;
    this.persist(session, (store) => store.confirmNonce(session.id));
  }

  /** Stops timers; resolves when pending writes to the store are done. */
  async close(): Promise<void> {
    if (this.refreshTimer !== undefined) this.deps.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    for (const timer of this.graceTimers.values()) this.deps.clock.clearTimeout(timer);
    this.graceTimers.clear();
    await Promise.allSettled([...this.sessions.values()].map((s) => s.persistChain));
  }

  private attachedTtlMs(): number {
    // Refreshed every graceMs/2 while attached, so a dead node's sessions outlive it by <= 1.5 grace.
    return this.options.graceMs + Math.ceil(this.options.graceMs / 2);
  }

  private scheduleRefresh(): void {
    this.refreshTimer = this.deps.clock.setTimeout(() => {
      for (const s of this.sessions.values()) {
        if (s.state === 'attached') this.persist(s, (store) => store.setOwner(s.id, this.nodeId, this.attachedTtlMs()));
      }
      this.scheduleRefresh();
    }, Math.ceil(this.options.graceMs / 2));
  }

  /** Chains a write for one session after its previous ones; failures are logged, never thrown. */
  private persist(session: MmoSession, op: (store: SessionStore) => Promise<void>): Promise<void> {
    const store = this.store;
    if (store === undefined) return Promise.resolve();
    const next = session.persistChain.then(() => op(store));
    session.persistChain = next.catch((error: unknown) => {
      this.deps.logger.error({ err: error, session: session.id }, 'session store write failed');
    });
    return session.persistChain;
  }

  private async persistNew(session: MmoSession, owner: string, ttlMs: number): Promise<void> {
    if (this.store === undefined) return;
    session.durable = true;
    const record = this.record(session, owner);
    await this.persist(session, (store) => store.save(record, ttlMs));
  }

  private record(session: MmoSession, owner: string): StoredSession {
    const data: Record<string, unknown> = {};
    for (const [k, v] of session.data) data[k] = v;
    return {
      id: session.id,
      userId: session.userId,
      createdAtMs: session.createdAtMs,
      nonce: session.nonce,
      previousNonce: session.previousNonce ?? '',
      nextOutSequence: session.lastOutSequence + 1,
      peerAck: session.peerAck,
      inboundAck: session.durableInboundAck,
      ownerNode: owner,
      data,
    };
  }

  private newSession(userId: string): MmoSession {
    const session = this.makeSession(randomUUID(), userId, this.deps.clock.now());
    this.sessions.set(session.id, session);
    this.deps.lifecycle.created(session);
    return session;
  }

  private makeSession(id: string, userId: string, createdAtMs: number): MmoSession {
    return new MmoSession(id, userId, createdAtMs, {
      maxMessages: this.options.maxOutboxMessages,
      maxBytes: this.options.maxOutboxBytes,
      maxInboundBuffered: this.options.maxInboundBuffered,
    });
  }

  private issueToken(session: MmoSession): string {
    session.nonce = ResumeTokenSigner.nonce();
    return this.signToken(session, session.nonce);
  }

  private signToken(session: MmoSession, nonce: string): string {
    return this.signer.sign({
      sessionId: session.id,
      nonce,
      userId: session.userId,
      expiresAtMs: this.deps.clock.now() + this.options.resumeTokenTtlMs,
    });
  }

  /**
   * Validates a token and claims its session for this node: single use (the nonce rotates), bound
   * to the user. Looks in this node first, then in the store (a session of another or dead node).
   */
  private async claimByToken(userId: string, token: string): Promise<{ session: MmoSession; nonce: string } | ResumeRejection> {
    const claims = this.signer.verify(token, this.deps.clock.now());
    if (typeof claims === 'string') return claims;
    if (claims.userId !== userId) return 'foreign';
    const nonce = ResumeTokenSigner.nonce();
    const local = this.sessions.get(claims.sessionId);
    if (local !== undefined) {
      if (local.state === 'ended') return 'unknown';
      if (local.userId !== userId) return 'foreign';
      if (!acceptsNonce(local, claims.nonce)) return 'reused';
      // Claim in the store first (another node may race for it); a store that is down does not
      // stop a resume on the node that holds the session anyway.
      // 'missing' (the store lost it, e.g. restarted) is fine here: this node rewrites it on attach.
      if (this.store !== undefined && (await this.store.claim(local.id, claims.nonce, nonce, this.nodeId).catch(() => 'claimed')) === 'conflict') {
        return 'reused';
      }
      if (!acceptsNonce(local, claims.nonce)) return 'reused'; // a concurrent resume on this node won
      if (claims.nonce === local.nonce) local.previousNonce = local.nonce;
      local.nonce = nonce;
      return { session: local, nonce };
    }
    if (this.store === undefined) return 'unknown';
    try {
      const stored = await this.store.load(claims.sessionId);
      if (stored === undefined) return 'unknown';
      if (stored.userId !== userId) return 'foreign';
      const claim = await this.store.claim(stored.id, claims.nonce, nonce, this.nodeId);
      if (claim === 'missing') return 'unknown';
      if (claim === 'conflict') return 'reused';
      const session = this.makeSession(stored.id, stored.userId, stored.createdAtMs);
      session.durable = true;
      session.nonce = nonce;
      session.previousNonce = claims.nonce === stored.nonce ? stored.nonce : stored.previousNonce || undefined;
      session.state = 'detached';
      session.restore(stored);
      for (const entry of await this.store.readOutbox(stored.id, stored.peerAck)) {
        if (!session.outbox.push(entry)) {
          this.deps.logger.warn({ session: stored.id }, 'stored outbox exceeds this node\'s bounds: session cannot be recovered');
          await this.store.delete(stored.id);
          return 'unknown';
        }
      }
      for (const [k, v] of Object.entries(stored.data)) session.data.set(k, v);
      this.sessions.set(session.id, session);
      return { session, nonce };
    } catch (error) {
      this.deps.logger.error({ err: error }, 'session store unavailable during resume');
      return 'unavailable';
    }
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
