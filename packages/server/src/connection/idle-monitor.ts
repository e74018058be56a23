import type { Clock, TimerHandle } from '@mmo/protocol';

/** Options of {@link IdleMonitor}. */
export interface IdleMonitorOptions {
  /** Silence after which the peer gets one final ping, in ms. */
  idleTimeoutMs: number;
  /** How long the final ping may go unanswered before the connection is closed, in ms. */
  finalPingTimeoutMs: number;
}

/**
 * The seed's TimeoutManager: a connection silent for `idleTimeoutMs` is pinged once (WebSocket
 * ping, the backstop for clients that send no application heartbeats); if nothing at all arrives
 * within `finalPingTimeoutMs` after that, `onTimeout` fires. Any inbound traffic (message or pong)
 * calls {@link IdleMonitor.heard}. One timer at a time, re-armed lazily so `heard` is O(1).
 */
export class IdleMonitor {
  private lastHeard: number;
  private timer: TimerHandle | undefined;
  private pingedAt: number | undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: IdleMonitorOptions,
    private readonly ping: () => void,
    private readonly onTimeout: () => void,
  ) {
    this.lastHeard = clock.now();
    this.arm(options.idleTimeoutMs);
  }

  /** Records inbound traffic. Returns the RTT in ms when this answers our final ping. */
  heard(): number | undefined {
    const now = this.clock.now();
    this.lastHeard = now;
    if (this.pingedAt === undefined) return undefined;
    const rtt = now - this.pingedAt;
    this.pingedAt = undefined;
    return rtt;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    this.timer = undefined;
    const now = this.clock.now();
    const silentFor = now - this.lastHeard;
    if (this.pingedAt !== undefined) {
      if (this.lastHeard >= this.pingedAt) {
        this.pingedAt = undefined;
      } else if (now - this.pingedAt >= this.options.finalPingTimeoutMs) {
        this.stop();
        this.onTimeout();
        return;
      } else {
        this.arm(this.options.finalPingTimeoutMs - (now - this.pingedAt));
        return;
      }
    }
    if (silentFor >= this.options.idleTimeoutMs) {
      this.pingedAt = now;
      this.ping();
      this.arm(this.options.finalPingTimeoutMs);
    } else {
      this.arm(this.options.idleTimeoutMs - silentFor);
    }
  }
}
