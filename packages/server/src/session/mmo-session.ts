import { InboundSequencer, type MmoEnvelope } from '@mmo/protocol';
import { Outbox, type OutboxLimits } from './outbox.js';

/** Lifecycle of a session. */
export type MmoSessionState =
  /** Created (e.g. on the HTTP side) but no socket attached yet. */
  | 'new'
  /** A live connection carries it. */
  | 'attached'
  /** Its socket is gone; it waits for a resume until the grace period ends. */
  | 'detached'
  /** Over: expired, kicked, or unrecoverable. */
  | 'ended';

/** Limits of one session. */
export interface MmoSessionLimits extends OutboxLimits {
  /** Reliable client messages held while an earlier one is missing. */
  maxInboundBuffered: number;
}

/**
 * A session: identity, data and reliable-stream state that outlive one socket. Owns the outbox
 * (our unacknowledged reliable messages), the inbound sequencer (the client's stream, exactly once,
 * in order) and the single-use resume nonce.
 */
export class MmoSession {
  state: MmoSessionState = 'new';
  /** Current single-use resume nonce; rotated on every (re)attach. */
  nonce = '';
  /**
   * The nonce the latest attach consumed. Still honoured until the client shows it got its new
   * token (its first message after CONNECTION_ESTABLISHED): a connection that dies before the new
   * token arrives must not lose the session.
   */
  previousNonce: string | undefined;
  /** When the socket went away (ms), while detached. */
  detachedAtMs: number | undefined;
  /** Free-form data shared by the HTTP side and the socket of this session. */
  readonly data = new Map<string, unknown>();
  readonly outbox: Outbox;
  readonly inbound: InboundSequencer<MmoEnvelope>;
  private nextOutSequence = 1;
  private peerAckValue = 0;
  /**
   * Our ack of the client's stream as far as the session store has it. With a store, envelopes
   * carry this one, so a client never drops a message that a node taking over would not know.
   */
  durableInboundAck = 0;
  /** Persistence of this session's changes, in order (resolved when nothing is pending). */
  persistChain: Promise<void> = Promise.resolve();
  /** True while this session's changes are written to a shared store. */
  durable = false;

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly createdAtMs: number,
    limits: MmoSessionLimits,
  ) {
    this.outbox = new Outbox(limits);
    this.inbound = new InboundSequencer({ maxBufferedMessages: limits.maxInboundBuffered });
  }

  /** Assigns the next outbound reliable sequence (sequences start at 1). */
  takeOutSequence(): number {
    return this.nextOutSequence++;
  }

  /** Highest outbound sequence assigned so far (0 if none). */
  get lastOutSequence(): number {
    return this.nextOutSequence - 1;
  }

  /** Our cumulative ack of the client's stream (what handlers have been handed). */
  get inboundAck(): number {
    return this.inbound.ack;
  }

  /** The ack to put in envelopes: the durable one when a shared store backs the session. */
  get ackForPeer(): number {
    return this.durable ? this.durableInboundAck : this.inbound.ack;
  }

  /** Restores the stream position of a session loaded from a store (resume on another node). */
  restore(state: { nextOutSequence: number; peerAck: number; inboundAck: number }): void {
    this.nextOutSequence = state.nextOutSequence;
    this.peerAckValue = state.peerAck;
    this.inbound.reset(state.inboundAck);
    this.durableInboundAck = state.inboundAck;
  }

  /** The client's cumulative ack of our stream. */
  get peerAck(): number {
    return this.peerAckValue;
  }

  /**
   * Applies the client's cumulative ack; trims the outbox. Acks beyond what we sent are clamped
   * (returns false so the caller can count a protocol error).
   */
  applyPeerAck(ack: number): boolean {
    if (ack <= this.peerAckValue) return true;
    const valid = ack <= this.lastOutSequence;
    this.peerAckValue = Math.min(ack, this.lastOutSequence);
    this.outbox.ackThrough(this.peerAckValue);
    return valid;
  }
}
