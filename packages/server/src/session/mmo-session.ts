/**
 * A session: the identity and reliable-stream state that outlives one socket. This slice keeps the
 * per-direction sequence counters; the sessions issue adds the outbox, replay and resume.
 */
export class MmoSession {
  /** Next sequence to assign to a reliable message we send (sequences start at 1). */
  private nextOutSequence = 1;
  /** Highest contiguous reliable sequence received from the client (our cumulative ack). */
  private lastInSequence = 0;
  /** Free-form data shared by the HTTP side and the socket of this session. */
  readonly data = new Map<string, unknown>();

  constructor(
    readonly id: string,
    readonly userId: string,
    readonly createdAtMs: number,
  ) {}

  /** Assigns the next outbound reliable sequence. */
  takeOutSequence(): number {
    return this.nextOutSequence++;
  }

  /** Highest outbound sequence assigned so far (0 if none). */
  get lastOutSequence(): number {
    return this.nextOutSequence - 1;
  }

  /** Our cumulative ack of the client's reliable stream. */
  get inboundAck(): number {
    return this.lastInSequence;
  }

  /**
   * Classifies an inbound reliable sequence: 'next' (process it; the ack advances), 'duplicate'
   * (already processed; do not run handlers again) or 'gap' (something before it is missing).
   */
  acceptInbound(sequence: number): 'next' | 'duplicate' | 'gap' {
    if (sequence <= this.lastInSequence) return 'duplicate';
    if (sequence !== this.lastInSequence + 1) return 'gap';
    this.lastInSequence = sequence;
    return 'next';
  }
}
