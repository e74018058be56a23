import type { Clock, TimerHandle } from '@mmo/protocol';

/** Options of the ack probe. */
export interface AckProbeOptions {
  /**
   * When reliable messages stay unacknowledged this long with no ack progress, ask for an ack by
   * sending a HEARTBEAT early (its PONG carries the server's cumulative ack), in ms. Doubles while
   * nothing moves, up to the heartbeat interval; 0 turns probing off.
   * @default 200
   */
  ackProbeDelayMs?: number;
}

/** Defaults of {@link AckProbeOptions}. */
export const ackProbeDefaults: Readonly<Required<AckProbeOptions>> = Object.freeze({
  // The gateway acknowledges only by piggy-backing on what it sends; an idle server would leave a
  // send pending until the next heartbeat (10 s). 200 ms is a few RTTs on a game connection.
  ackProbeDelayMs: 200,
});

/** What the probe watches and how it asks. */
export interface AckProbeDeps {
  clock: Clock;
  /** Reliable messages sent and not yet acknowledged. */
  inFlight(): number;
  /** The server's cumulative ack so far. */
  acknowledged(): number;
  /** Upper bound of the probe delay, in ms (the heartbeat interval). */
  maxDelayMs(): number;
  /** Sends the probe (a HEARTBEAT). */
  probe(): void;
}

/** Asks the server for its cumulative ack when reliable messages wait for one too long. */
export class AckProbe {
  private timer: TimerHandle | undefined;
  private delayMs: number;
  private ackAtArm = 0;

  constructor(
    private readonly deps: AckProbeDeps,
    private readonly baseDelayMs: number,
  ) {
    this.delayMs = baseDelayMs;
  }

  /** Reliable messages were written. */
  noteWrite(): void {
    if (this.baseDelayMs <= 0 || this.timer !== undefined) return;
    this.arm();
  }

  /** The link went away. */
  cancel(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.delayMs = this.baseDelayMs;
  }

  private arm(): void {
    this.ackAtArm = this.deps.acknowledged();
    this.timer = this.deps.clock.setTimeout(() => this.fire(), this.delayMs);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.deps.inFlight() === 0) {
      this.delayMs = this.baseDelayMs;
      return;
    }
    if (this.deps.acknowledged() > this.ackAtArm) {
      this.delayMs = this.baseDelayMs; // progress: keep watching at the base delay
    } else {
      this.deps.probe();
      this.delayMs = Math.min(this.delayMs * 2, Math.max(this.baseDelayMs, this.deps.maxDelayMs()));
    }
    this.arm();
  }
}
