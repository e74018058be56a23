import type { Clock, TimerHandle } from '@mmo/protocol';

/** Options of standalone acknowledgements. */
export interface AckOptions {
  /**
   * After delivering reliable messages, how long to wait for an outgoing message to carry the new
   * ack before sending a standalone ACK, in ms. Keeps the server's outbox short when the game
   * sends nothing. 0 acknowledges at once.
   * @default 100
   */
  ackDelayMs?: number;
}

/** Defaults of {@link AckOptions}. */
export const ackDefaults: Readonly<Required<AckOptions>> = Object.freeze({
  // Ten standalone acks per second at most: a third of the gateway's default shared budget of
  // 30 messages/s, and well inside its 1024-message outbox at any realistic server send rate.
  ackDelayMs: 100,
});

/**
 * Tracks whether the server has been told our latest cumulative ack. Every outgoing envelope
 * carries it (piggy-back); when nothing goes out within `ackDelayMs`, `sendAck` fires once.
 */
export class AckScheduler {
  private lastSentAck = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly currentAck: () => number,
    private readonly sendAck: () => void,
  ) {}

  /** An outgoing envelope carried `ack`. */
  noteSent(ack: number): void {
    this.lastSentAck = Math.max(this.lastSentAck, ack);
    if (this.lastSentAck >= this.currentAck()) this.cancel();
  }

  /** Reliable messages were delivered (or a duplicate arrived: the server may have lost our ack). */
  noteReceived(duplicate = false): void {
    if (duplicate) this.lastSentAck = Math.min(this.lastSentAck, this.currentAck() - 1);
    if (this.currentAck() <= this.lastSentAck || this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.currentAck() > this.lastSentAck) this.sendAck();
    }, this.delayMs);
  }

  /** A new link or session: nothing has been told to it yet. */
  reset(): void {
    this.cancel();
    this.lastSentAck = 0;
  }

  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
