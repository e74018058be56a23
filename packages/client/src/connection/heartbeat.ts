import type { Clock, TimerHandle } from '@mmo/protocol';
import type { RttEstimator } from './rtt.js';

/** Options of the heartbeat and the server-silence watchdog. */
export interface HeartbeatOptions {
  /**
   * Heartbeat interval in ms. Unset: the interval the server announces in CONNECTION_ESTABLISHED.
   * @default the server's heartbeatIntervalMs (10000 on the default gateway)
   */
  heartbeatIntervalMs?: number | undefined;
  /**
   * Silence from the server after which the connection is treated as dead (closed, then resumed),
   * in ms. Unset: `silenceTimeoutFactor` times the heartbeat interval.
   * @default 2.5 x heartbeat interval
   */
  serverSilenceTimeoutMs?: number | undefined;
  /**
   * Multiple of the heartbeat interval used when `serverSilenceTimeoutMs` is unset: two missed
   * PONGs and half an interval of slack.
   * @default 2.5
   */
  silenceTimeoutFactor?: number;
}

/** Defaults of {@link HeartbeatOptions}. */
export const heartbeatDefaults = Object.freeze({
  silenceTimeoutFactor: 2.5,
  /** Used only if the server announces no interval (0). */
  fallbackHeartbeatIntervalMs: 10_000,
});

/** What the heartbeat sends and how it reports a dead link. */
export interface HeartbeatDeps {
  clock: Clock;
  rtt: RttEstimator;
  /** Sends HEARTBEAT {clientTime, rttMs}. */
  sendHeartbeat(clientTime: number, rttMs: number): void;
  /** Nothing heard for the silence timeout. */
  onSilence(silentForMs: number): void;
}

/**
 * Sends HEARTBEAT every interval (carrying our smoothed RTT for the server's metrics), turns PONGs
 * into RTT samples, and watches for server silence: any inbound message resets the watchdog.
 */
export class Heartbeat {
  private timer: TimerHandle | undefined;
  private watchdog: TimerHandle | undefined;
  private intervalMs = 0;
  private silenceMs = 0;
  private lastHeardAt = 0;
  private running = false;

  constructor(
    private readonly deps: HeartbeatDeps,
    private readonly options: HeartbeatOptions,
  ) {}

  /** Starts on a fresh link with the server's announced interval (0 = none announced). */
  start(serverIntervalMs: number): void {
    this.stop();
    this.running = true;
    const announced = serverIntervalMs > 0 ? serverIntervalMs : heartbeatDefaults.fallbackHeartbeatIntervalMs;
    this.intervalMs = this.options.heartbeatIntervalMs ?? announced;
    const factor = this.options.silenceTimeoutFactor ?? heartbeatDefaults.silenceTimeoutFactor;
    this.silenceMs = this.options.serverSilenceTimeoutMs ?? Math.round(this.intervalMs * factor);
    this.lastHeardAt = this.deps.clock.now();
    // One heartbeat at once, so RTT is known within a round trip of connecting, not an interval.
    this.beat();
    this.schedule();
    this.armWatchdog(this.silenceMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    if (this.watchdog !== undefined) this.deps.clock.clearTimeout(this.watchdog);
    this.timer = undefined;
    this.watchdog = undefined;
  }

  /** The interval in use, in ms (0 when stopped). */
  get currentIntervalMs(): number {
    return this.running ? this.intervalMs : 0;
  }

  /** Records inbound traffic of any kind. O(1): the watchdog re-checks lazily. */
  heard(): void {
    this.lastHeardAt = this.deps.clock.now();
  }

  /** A PONG echoing `clientTime` arrived: one RTT sample. */
  onPong(clientTime: number): void {
    const now = this.deps.clock.now();
    if (clientTime <= 0 || clientTime > now) return; // not ours, or a clock jump: no sample
    this.deps.rtt.add(now - clientTime);
  }

  /** Sends a heartbeat now (an ack probe); the regular schedule is unchanged. */
  beatNow(): void {
    if (this.running) this.beat();
  }

  private beat(): void {
    this.deps.sendHeartbeat(this.deps.clock.now(), Math.round(this.deps.rtt.smoothedMs ?? 0));
  }

  private schedule(): void {
    this.timer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.beat();
      this.schedule();
    }, this.intervalMs);
  }

  private armWatchdog(delayMs: number): void {
    this.watchdog = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      const silentFor = this.deps.clock.now() - this.lastHeardAt;
      if (silentFor >= this.silenceMs) {
        this.stop();
        this.deps.onSilence(silentFor);
        return;
      }
      this.armWatchdog(this.silenceMs - silentFor);
    }, delayMs);
  }
}
