/**
 * The swarm's figures: the live progress line, and the final report as one JSON object or a
 * table for people.
 */
import type { Bot } from './bot.js';
import type { BotsConfig } from './config.js';
import type { LatencyHistogram, LatencySummary } from './histogram.js';

/** What the progress line shows, once a second. */
export interface SwarmProgress {
  elapsedSeconds: number;
  bots: number;
  /** Bots connected now. */
  connected: number;
  /** Over the last second, all bots together. */
  messagesInPerSecond: number;
  messagesOutPerSecond: number;
  bytesInPerSecond: number;
  bytesOutPerSecond: number;
  reconnects: number;
  corrections: number;
  errors: number;
  /** Input -> observer p50 over the last progress interval, in ms. */
  latencyP50Ms: number | null;
}

/** In and out, per direction. */
export interface InOut {
  in: number;
  out: number;
}

/** The final report (`--json` prints exactly this object). */
export interface SwarmReport {
  /** Gateway URL. */
  url: string;
  /** `finished` after `--seconds`; `interrupted` by SIGINT / SIGTERM. */
  reason: 'finished' | 'interrupted';
  /** Wall time from the first connect to the stop, in s. */
  durationSeconds: number;
  /** Bots started. */
  bots: number;
  /** Bots that had a session at least once. */
  connected: number;
  /** Bots with a session at the end. */
  connectedAtEnd: number;
  /** Sessions established after a bot's first (`connected` with `reconnect: true`), all bots. */
  reconnects: number;
  /** Of the reconnects, those that resumed the session. */
  resumed: number;
  /** Connection attempts that closed before a session (each is also an error). */
  failedAttempts: number;
  /** Messages received and sent, all bots. */
  messages: InOut;
  /** WebSocket payload bytes received and sent, all bots. */
  bytes: InOut;
  /** Messages per client per second, averaged over bots from each one's first session. */
  messagesPerClientPerSecond: InOut;
  /** Bytes per client per second, averaged over bots from each one's first session. */
  bytesPerClientPerSecond: InOut;
  /** Movement inputs sent (PLAYER_MOVE), all bots. */
  inputsSent: number;
  /** PLAYER_ACTION 'wave' sent and acknowledged by the gateway. */
  actions: { sent: number; acknowledged: number };
  /** Input -> observer latency (see README: "How latency is measured"). */
  latencyMs: LatencySummary;
  /** Action -> observer latency: a reliable wave from its send to another bot's handler. */
  actionLatencyMs: LatencySummary;
  /** Mean of the bots' smoothed RTT (heartbeats), in ms; null before any PONG. */
  rttMs: number | null;
  /** Predictor corrections (prediction error above 0.05), all bots. */
  corrections: number;
  /** PLAYER_STATE corrections: movement inputs the server rejected, all bots. */
  serverCorrections: number;
  /** Problems: how many, and the first few lines. */
  errors: { count: number; first: string[] };
  /**
   * The bot process itself: CPU (100 = one core) and event-loop delay. A p99 delay near or above
   * a tick (50 ms) means the bots, not the gateway, set the latency figures: run fewer per process.
   */
  botProcess: BotProcessFigures;
  /** What the command exits with: 0 when every bot connected at least once, else 1. */
  exitCode: 0 | 1;
}

/** Load of the process running the bots. */
export interface BotProcessFigures {
  /** CPU time over wall time, in percent of one core. */
  cpuPercent: number;
  /** Event-loop delay percentiles, in ms (null when the monitor had no sample). */
  eventLoopDelayMs: { p50: number | null; p99: number | null; max: number | null };
}

/** Event-loop delay p99 above which the report warns that the bots were saturated, in ms. */
export const SATURATED_LOOP_DELAY_MS = 50;

/** What {@link buildReport} reads. */
export interface ReportInputs {
  config: Pick<BotsConfig, 'url'>;
  reason: SwarmReport['reason'];
  startedAt: number;
  stoppedAt: number;
  bots: readonly Bot[];
  inputLatency: LatencyHistogram;
  actionLatency: LatencyHistogram;
  errors: { count: number; first: readonly string[] };
  botProcess: BotProcessFigures;
}

/** Collects the bots' counters and stats into a report. */
export function buildReport(r: ReportInputs): SwarmReport {
  const messages = { in: 0, out: 0 };
  const bytes = { in: 0, out: 0 };
  const perClient = { msgsIn: 0, msgsOut: 0, bytesIn: 0, bytesOut: 0 };
  let connected = 0;
  let connectedAtEnd = 0;
  let reconnects = 0;
  let resumed = 0;
  let failedAttempts = 0;
  let inputsSent = 0;
  let corrections = 0;
  let serverCorrections = 0;
  let rttSum = 0;
  let rttCount = 0;
  const actions = { sent: 0, acknowledged: 0 };
  for (const bot of r.bots) {
    const s = bot.stats();
    const c = bot.counters;
    const msgsIn = sum(s.messagesInByType);
    const msgsOut = sum(s.messagesOutByType);
    messages.in += msgsIn;
    messages.out += msgsOut;
    bytes.in += s.bytesInTotal;
    bytes.out += s.bytesOutTotal;
    if (bot.firstConnectedAt !== undefined) {
      connected++;
      // Each bot's rate over its own time online since its first session (the ramp staggers them).
      const seconds = Math.max(0.001, (r.stoppedAt - bot.firstConnectedAt) / 1000);
      perClient.msgsIn += msgsIn / seconds;
      perClient.msgsOut += msgsOut / seconds;
      perClient.bytesIn += s.bytesInTotal / seconds;
      perClient.bytesOut += s.bytesOutTotal / seconds;
    }
    if (bot.isConnected) connectedAtEnd++;
    reconnects += c.reconnects;
    resumed += c.resumed;
    failedAttempts += c.failedAttempts;
    inputsSent += c.inputsSent;
    corrections += c.corrections;
    serverCorrections += c.serverCorrections;
    actions.sent += c.actionsSent;
    actions.acknowledged += c.actionsAcknowledged;
    if (s.rttMs !== undefined) {
      rttSum += s.rttMs;
      rttCount++;
    }
  }
  const n = Math.max(1, connected);
  return {
    url: r.config.url,
    reason: r.reason,
    durationSeconds: round((r.stoppedAt - r.startedAt) / 1000, 2),
    bots: r.bots.length,
    connected,
    connectedAtEnd,
    reconnects,
    resumed,
    failedAttempts,
    messages,
    bytes,
    messagesPerClientPerSecond: { in: round(perClient.msgsIn / n, 1), out: round(perClient.msgsOut / n, 1) },
    bytesPerClientPerSecond: { in: Math.round(perClient.bytesIn / n), out: Math.round(perClient.bytesOut / n) },
    inputsSent,
    actions,
    latencyMs: r.inputLatency.summary(),
    actionLatencyMs: r.actionLatency.summary(),
    rttMs: rttCount === 0 ? null : round(rttSum / rttCount, 1),
    corrections,
    serverCorrections,
    errors: { count: r.errors.count, first: [...r.errors.first] },
    botProcess: r.botProcess,
    exitCode: connected === r.bots.length ? 0 : 1,
  };
}

/** The report as a table for a terminal. */
export function formatReport(report: SwarmReport): string {
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  const lat = (l: LatencySummary) =>
    l.samples === 0 ? 'no samples' : `p50 ${ms(l.p50)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  max ${ms(l.max)}  (${l.samples} samples)`;
  const rows: Array<[string, string]> = [
    ['gateway', report.url],
    ['duration', `${report.durationSeconds} s (${report.reason})`],
    ['connected', `${report.connected}/${report.bots} (at the end: ${report.connectedAtEnd})`],
    ['reconnects', `${report.reconnects} (resumed ${report.resumed}), failed attempts ${report.failedAttempts}`],
    ['messages in / out', `${report.messages.in} / ${report.messages.out}`],
    ['per client per second', `${report.messagesPerClientPerSecond.in} / ${report.messagesPerClientPerSecond.out} messages`],
    ['bytes per client per second', `${kb(report.bytesPerClientPerSecond.in)} / ${kb(report.bytesPerClientPerSecond.out)}`],
    ['inputs sent', String(report.inputsSent)],
    ['actions sent / acked', `${report.actions.sent} / ${report.actions.acknowledged}`],
    ['input -> observer latency', lat(report.latencyMs)],
    ['action -> observer latency', lat(report.actionLatencyMs)],
    ['rtt (mean)', ms(report.rttMs)],
    ['corrections', `${report.corrections} (server rejections ${report.serverCorrections})`],
    [
      'bot process',
      `cpu ${report.botProcess.cpuPercent}% of a core, event-loop delay p99 ${ms(report.botProcess.eventLoopDelayMs.p99)} max ${ms(report.botProcess.eventLoopDelayMs.max)}`,
    ],
    ['errors', String(report.errors.count)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  const delay = report.botProcess.eventLoopDelayMs.p99;
  if (delay !== null && delay > SATURATED_LOOP_DELAY_MS) {
    lines.push(`  warning: the bot process was saturated (event-loop delay p99 ${delay} ms): latency includes its own delay; run fewer bots per process`);
  }
  for (const line of report.errors.first) lines.push(`    ${line}`);
  if (report.errors.count > report.errors.first.length) lines.push(`    ... and ${report.errors.count - report.errors.first.length} more`);
  return ['mmo-bots report', ...lines].join('\n');
}

/** The one-line progress readout (no line ending). */
export function formatProgress(p: SwarmProgress): string {
  return (
    `[${p.elapsedSeconds.toFixed(0).padStart(3)} s] connected ${p.connected}/${p.bots}` +
    `  msgs/s ${Math.round(p.messagesInPerSecond)} in ${Math.round(p.messagesOutPerSecond)} out` +
    `  kB/s ${(p.bytesInPerSecond / 1000).toFixed(1)} in ${(p.bytesOutPerSecond / 1000).toFixed(1)} out` +
    `  reconnects ${p.reconnects}  corrections ${p.corrections}  errors ${p.errors}` +
    `  p50 ${p.latencyP50Ms === null ? '-' : `${p.latencyP50Ms.toFixed(0)} ms`}`
  );
}

function kb(bytes: number): string {
  return bytes >= 10_000 ? `${(bytes / 1000).toFixed(1)} kB` : `${bytes} B`;
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const v of Object.values(counts)) total += v;
  return total;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
