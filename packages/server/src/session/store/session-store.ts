/** The durable part of a session: what another gateway node needs to resume it. */
export interface StoredSession {
  id: string;
  userId: string;
  createdAtMs: number;
  /** Current single-use resume nonce. */
  nonce: string;
  /** Nonce consumed by the latest attach, honoured until the client confirms ('' when none). */
  previousNonce: string;
  /** Next outbound reliable sequence to assign. */
  nextOutSequence: number;
  /** The client's cumulative ack of our stream. */
  peerAck: number;
  /** Our cumulative ack of the client's stream (durable: never ahead of what we told the client). */
  inboundAck: number;
  /** Node that holds the session's socket now ('' when detached). */
  ownerNode: string;
  /** JSON-serialisable session data shared by the HTTP side and the socket. */
  data: Record<string, unknown>;
}

/** Outcome of {@link SessionStore.claim}. */
export type ClaimResult = 'claimed' | 'conflict' | 'missing';

/** One persisted reliable outbound frame. */
export interface StoredOutboxEntry {
  sequence: number;
  frame: Uint8Array;
}

/**
 * Where sessions live beyond one process. Two implementations share one contract test suite: the
 * in-memory store (embedded default) and the Redis store (several gateway nodes). Every method
 * keeps per-session order: calls for one session are applied in the order they are made.
 */
export interface SessionStore {
  /** Creates or replaces the record, with a time to live in ms. */
  save(session: StoredSession, ttlMs: number): Promise<void>;
  load(sessionId: string): Promise<StoredSession | undefined>;
  /**
   * Rewrites the record and its whole outbox from this node's copy (after a store restart lost
   * them, or to take a session over), with a time to live in ms.
   */
  replace(session: StoredSession, outbox: readonly StoredOutboxEntry[], ttlMs: number): Promise<void>;
  /**
   * Appends a reliable frame and advances `nextOutSequence` to `sequence + 1` atomically. Sequences
   * must increase; resolves once durable (a send may only go out after this).
   */
  appendOutbox(sessionId: string, entry: StoredOutboxEntry): Promise<void>;
  /** Drops frames with sequence <= `peerAck` and records the peer's ack. */
  ackOutbox(sessionId: string, peerAck: number): Promise<void>;
  /** Frames with sequence > `afterSequence`, in order. */
  readOutbox(sessionId: string, afterSequence: number): Promise<StoredOutboxEntry[]>;
  /** Records our cumulative ack of the client's stream. */
  setInboundAck(sessionId: string, inboundAck: number): Promise<void>;
  /**
   * Single-use claim for a resume: if `expectedNonce` is the stored nonce (which then becomes the
   * previous one) or the still-unconfirmed previous nonce, store `newNonce`, set the owner node:
   * 'claimed'. 'conflict' otherwise (a reused or raced token), 'missing' when there is no session.
   */
  claim(sessionId: string, expectedNonce: string, newNonce: string, ownerNode: string): Promise<ClaimResult>;
  /** The client got its newest token: the previous nonce stops working. */
  confirmNonce(sessionId: string): Promise<void>;
  /** Sets the owner node ('' = detached) and the record's time to live in ms. */
  setOwner(sessionId: string, ownerNode: string, ttlMs: number): Promise<void>;
  /** Replaces the session data. */
  setData(sessionId: string, data: Record<string, unknown>): Promise<void>;
  delete(sessionId: string): Promise<void>;
  /** Releases connections (the Redis store does not quit a client it was given). */
  close(): Promise<void>;
}
