/**
 * A swarm: N bots in this process against one gateway, connecting spread over the ramp, sharing
 * one latency tracker; figures for the progress line while it runs and a report when it stops.
 */
import type { WebSocketConstructorLike } from '@mmo/client';
import { systemClock, type Clock, type TimerHandle } from '@mmo/protocol';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Bot } from './bot.js';
import type { BotsConfig } from './config.js';
import { LatencyHistogram } from './histogram.js';
import { createLatencyTracker, type LatencyTrackerOptions } from './latency.js';
import { buildReport, type SwarmProgress, type SwarmReport } from './report.js';
import { createTokenFactory, type BotTokenProvider } from './tokens.js';

/** The settings a swarm reads (a {@link BotsConfig} has them all). */
export type SwarmConfig = Pick<
  BotsConfig,
  'url' | 'bots' | 'rampMs' | 'token' | 'actionEveryMs' | 'speed' | 'areaHalfSize' | 'namePrefix' | 'tickRate' | 'inputRateHz' | 'localAddresses'
>;

/** Options of {@link createSwarm}: what it runs, and the platform it runs on. */
export interface SwarmOptions {
  config: SwarmConfig;
  /** @default the `ws` package (bound to `config.localAddresses` when there are any) */
  WebSocket?: WebSocketConstructorLike;
  /** Clock of the bots' timers and clients. @default systemClock */
  clock?: Clock;
  /** @default Math.random */
  random?: () => number;
  /** Monotonic ms of the latency figures. @default performance.now */
  monotonicNow?: () => number;
  /** Token callback per bot name. @default from `config.token` */
  tokensFor?: (name: string) => BotTokenProvider;
  /** Options of the shared input -> observer tracker. */
  latency?: LatencyTrackerOptions;
  /**
   * Error lines kept for the report (all are counted).
   * @default 5
   */
  maxErrorLines?: number;
}

/** Sampling interval of the event-loop delay monitor, in ms. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/** Defaults of {@link SwarmOptions}. */
export const swarmDefaults = {
  maxErrorLines: 5,
} as const;

/** A running swarm. */
export interface Swarm {
  /** The bots, in index order. */
  readonly bots: readonly Bot[];
  /** Starts connecting the bots, spread over `rampMs`. */
  start(): void;
  /** Figures now: rates over the last second, the latency p50 since the previous call. */
  progress(): SwarmProgress;
  /** Stops every bot and returns the report. Idempotent: a second call returns the same report. */
  stop(reason: 'finished' | 'interrupted'): SwarmReport;
}

/**
 * Creates a swarm; nothing connects until `start()`.
 * @example
 * const swarm = createSwarm({ config });
 * swarm.start();
 * setTimeout(() => console.log(formatReport(swarm.stop('finished'))), 10_000);
 */
export function createSwarm(options: SwarmOptions): Swarm {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const monotonicNow = options.monotonicNow ?? (() => performance.now());
  const tokensFor = options.tokensFor ?? createTokenFactory(config.token);
  const maxErrorLines = options.maxErrorLines ?? swarmDefaults.maxErrorLines;
  const tracker = createLatencyTracker({ now: monotonicNow, ...options.latency });
  const actionLatency = new LatencyHistogram();
  const errors = { count: 0, first: [] as string[] };
  const onError = (line: string) => {
    errors.count++;
    if (errors.first.length < maxErrorLines) errors.first.push(line);
  };
  const runId = randomUUID();
  const sockets =
    options.WebSocket !== undefined
      ? [options.WebSocket]
      : config.localAddresses.length === 0
        ? [WebSocket as unknown as WebSocketConstructorLike]
        : config.localAddresses.map(boundWebSocket);
  const bots: Bot[] = [];
  for (let i = 0; i < config.bots; i++) {
    const name = `${config.namePrefix}${i}`;
    bots.push(
      new Bot({
        name,
        url: config.url,
        WebSocket: sockets[i % sockets.length]!,
        getToken: tokensFor(name),
        tracker,
        actionLatency,
        runId,
        speed: config.speed,
        areaHalfSize: config.areaHalfSize,
        tickRate: config.tickRate,
        inputRateHz: config.inputRateHz,
        actionEveryMs: config.actionEveryMs,
        clock,
        random,
        monotonicNow,
        onError,
      }),
    );
  }

  const pending: TimerHandle[] = [];
  let startedAt: number | undefined;
  let report: SwarmReport | undefined;
  // The bots' own load: when this process is saturated, its delay is in every latency figure.
  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let wallAtStart = 0;

  return {
    bots,
    start() {
      if (startedAt !== undefined) return;
      startedAt = clock.now();
      loopDelay.enable();
      cpuAtStart = process.cpuUsage();
      wallAtStart = performance.now();
      bots.forEach((bot, i) => {
        const delayMs = config.bots > 1 ? (config.rampMs * i) / config.bots : 0;
        if (delayMs === 0) bot.start();
        else pending.push(clock.setTimeout(() => report === undefined && bot.start(), delayMs));
      });
    },
    progress() {
      const now = clock.now();
      let msgsIn = 0;
      let msgsOut = 0;
      let bytesIn = 0;
      let bytesOut = 0;
      let connected = 0;
      let reconnects = 0;
      let corrections = 0;
      for (const bot of bots) {
        // The client's rates are a sliding 1 s window: the last second, whatever the call rate.
        const s = bot.stats();
        msgsIn += s.messagesInPerSecond;
        msgsOut += s.messagesOutPerSecond;
        bytesIn += s.bytesInPerSecond;
        bytesOut += s.bytesOutPerSecond;
        if (bot.isConnected) connected++;
        reconnects += bot.counters.reconnects;
        corrections += bot.counters.corrections;
      }
      const window = tracker.interval.summary();
      tracker.interval.clear();
      return {
        elapsedSeconds: startedAt === undefined ? 0 : (now - startedAt) / 1000,
        bots: bots.length,
        connected,
        messagesInPerSecond: msgsIn,
        messagesOutPerSecond: msgsOut,
        bytesInPerSecond: bytesIn,
        bytesOutPerSecond: bytesOut,
        reconnects,
        corrections,
        errors: errors.count,
        latencyP50Ms: window.p50,
      };
    },
    stop(reason) {
      if (report !== undefined) return report;
      for (const handle of pending.splice(0)) clock.clearTimeout(handle);
      const stoppedAt = clock.now();
      loopDelay.disable();
      const cpu = process.cpuUsage(cpuAtStart);
      const wallMs = Math.max(1, performance.now() - wallAtStart);
      // The monitor records the time between its samples: the delay is what exceeds the resolution.
      const ns = (v: number) => (Number.isFinite(v) && v > 0 ? Math.max(0, Math.round((v / 1e6 - EVENT_LOOP_RESOLUTION_MS) * 10) / 10) : null);
      // Figures first: disconnecting adds a DISCONNECT and a close to every client's counters.
      report = buildReport({
        botProcess: {
          cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
          eventLoopDelayMs: { p50: ns(loopDelay.percentile(50)), p99: ns(loopDelay.percentile(99)), max: ns(loopDelay.max) },
        },
        config,
        reason,
        startedAt: startedAt ?? stoppedAt,
        stoppedAt,
        bots,
        inputLatency: tracker.total,
        actionLatency,
        errors,
      });
      for (const bot of bots) bot.stop();
      return report;
    },
  };
}

/** `ws`, connecting from `localAddress`. */
function boundWebSocket(localAddress: string): WebSocketConstructorLike {
  class BoundWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, { ...options, localAddress });
    }
  }
  return BoundWebSocket as unknown as WebSocketConstructorLike;
}
