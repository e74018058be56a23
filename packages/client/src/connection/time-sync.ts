import type { Clock, TimerHandle } from '@mmo/protocol';

/** One TIME_SYNC exchange, all times in ms since the Unix epoch. */
export interface TimeSyncSample {
  /** Client clock when the request left (t0). */
  clientSendTime: number;
  /** Server clock when the request arrived (t1). */
  serverReceiveTime: number;
  /** Server clock when the answer left (t2). */
  serverSendTime: number;
  /** Client clock when the answer arrived (t3). */
  clientReceiveTime: number;
  /** Server simulation tick at t2 (0 until the server runs ticks). */
  serverTick?: number;
  /** Server ticks per second (0 until the server runs ticks). */
  tickRate?: number;
}

/** Options of time synchronisation. */
export interface TimeSyncOptions {
  /**
   * Requests sent right after each connect; the estimate uses the one with the smallest RTT.
   * @default 5
   */
  burstSamples?: number;
  /**
   * Spacing of the burst's requests, in ms.
   * @default 100
   */
  burstSpacingMs?: number;
  /**
   * Interval of one further request while connected, in ms (clocks drift; 0 turns it off).
   * @default 30000
   */
  resyncIntervalMs?: number;
  /**
   * Most recent samples kept; the best (smallest RTT) of them gives the offset.
   * @default 8
   */
  windowSamples?: number;
}

/** Defaults of {@link TimeSyncOptions}. */
export const timeSyncDefaults: Readonly<Required<TimeSyncOptions>> = Object.freeze({
  burstSamples: 5,
  burstSpacingMs: 100,
  resyncIntervalMs: 30_000,
  windowSamples: 8,
});

interface ScoredSample {
  rttMs: number;
  offsetMs: number;
  sample: TimeSyncSample;
}

/**
 * Server-clock estimate from NTP-style samples. For each: rtt = (t3 - t0) - (t2 - t1) and
 * offset = ((t1 - t0) + (t2 - t3)) / 2. The offset of the sample with the smallest RTT wins: its
 * error is bounded by rtt / 2, and queueing delay only ever adds to the RTT.
 */
export class TimeSyncEstimator {
  private window: ScoredSample[] = [];
  private coarseOffsetMs: number | undefined;

  constructor(private readonly windowSamples: number = timeSyncDefaults.windowSamples) {}

  /** Adds a sample; returns false (and ignores it) when its times are inconsistent. */
  add(sample: TimeSyncSample): boolean {
    const { clientSendTime: t0, serverReceiveTime: t1, serverSendTime: t2, clientReceiveTime: t3 } = sample;
    const rttMs = t3 - t0 - (t2 - t1);
    if (![t0, t1, t2, t3].every(Number.isFinite) || t3 < t0 || t2 < t1 || rttMs < 0) return false;
    this.window.push({ rttMs, offsetMs: (t1 - t0 + (t2 - t3)) / 2, sample });
    if (this.window.length > this.windowSamples) this.window.shift();
    return true;
  }

  /** A one-way hint (CONNECTION_ESTABLISHED's serverTime), used until the first real sample. */
  seed(serverTime: number, clientReceiveTime: number): void {
    if (serverTime > 0) this.coarseOffsetMs = serverTime - clientReceiveTime;
  }

  /** Forgets every sample (e.g. after a clock jump). */
  reset(): void {
    this.window = [];
    this.coarseOffsetMs = undefined;
  }

  private best(): ScoredSample | undefined {
    let best: ScoredSample | undefined;
    for (const s of this.window) if (best === undefined || s.rttMs < best.rttMs) best = s;
    return best;
  }

  /** Server clock minus client clock, in ms (0 with no information at all). */
  get offsetMs(): number {
    return this.best()?.offsetMs ?? this.coarseOffsetMs ?? 0;
  }

  /** RTT of the sample the offset comes from; the offset is within +- half of it. */
  get bestRttMs(): number | undefined {
    return this.best()?.rttMs;
  }

  /** Samples in the window. */
  get sampleCount(): number {
    return this.window.length;
  }

  /** True once at least one full sample arrived. */
  get synced(): boolean {
    return this.window.length > 0;
  }

  /** The server clock now, estimated from `clientNowMs`. */
  serverTimeAt(clientNowMs: number): number {
    return clientNowMs + this.offsetMs;
  }

  /**
   * The server's simulation tick at `clientNowMs`, extrapolated from the newest sample that carried
   * a tick rate (fractional); undefined until the server reports ticks.
   */
  serverTickAt(clientNowMs: number): number | undefined {
    for (let i = this.window.length - 1; i >= 0; i--) {
      const { sample } = this.window[i]!;
      if (sample.tickRate !== undefined && sample.tickRate > 0 && sample.serverTick !== undefined) {
        const elapsedMs = this.serverTimeAt(clientNowMs) - sample.serverSendTime;
        return sample.serverTick + (elapsedMs * sample.tickRate) / 1000;
      }
    }
    return undefined;
  }
}

/** What {@link TimeSyncScheduler} sends with. */
export interface TimeSyncSchedulerDeps {
  clock: Clock;
  /** Sends TIME_SYNC {clientTime}. */
  sendRequest(clientTime: number): void;
}

/** Sends the post-connect burst, then one request per resync interval, until stopped. */
export class TimeSyncScheduler {
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(
    private readonly deps: TimeSyncSchedulerDeps,
    private readonly options: Readonly<Required<TimeSyncOptions>>,
  ) {}

  start(): void {
    this.stop();
    this.running = true;
    this.step(this.options.burstSamples);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private step(burstLeft: number): void {
    if (!this.running) return;
    if (burstLeft > 0) {
      this.deps.sendRequest(this.deps.clock.now());
      if (burstLeft > 1) {
        this.timer = this.deps.clock.setTimeout(() => this.step(burstLeft - 1), this.options.burstSpacingMs);
        return;
      }
    }
    if (this.options.resyncIntervalMs <= 0) return;
    this.timer = this.deps.clock.setTimeout(() => {
      if (!this.running) return;
      this.deps.sendRequest(this.deps.clock.now());
      this.step(0);
    }, this.options.resyncIntervalMs);
  }
}
