// @mmo/bots: the swarm behind the `mmo-bots` command, for scripts and benchmarks. See README.md.
export { Bot, BOT_ACTION } from './bot.js';
export type { BotCounters, BotOptions } from './bot.js';
export { BotsConfigError, botsDefaults, isBotsConfigError, readBotsConfig, usage } from './config.js';
export type { BotsConfig, BotsTokenSource } from './config.js';
export { HISTOGRAM_BUCKET_MS, HISTOGRAM_MAX_MS, LatencyHistogram } from './histogram.js';
export type { LatencySummary } from './histogram.js';
export { createLatencyTracker, latencyTrackerDefaults } from './latency.js';
export type { LatencyObserver, LatencyTracker, LatencyTrackerOptions } from './latency.js';
export { SATURATED_LOOP_DELAY_MS, buildReport, formatProgress, formatReport } from './report.js';
export type { BotProcessFigures, InOut, ReportInputs, SwarmProgress, SwarmReport } from './report.js';
export { createSwarm, swarmDefaults } from './swarm.js';
export type { Swarm, SwarmConfig, SwarmOptions } from './swarm.js';
export { createTokenFactory, tokenFactoryDefaults } from './tokens.js';
export type { BotTokenProvider, TokenFactoryOptions } from './tokens.js';
export { Steering, insideArea, walkArea, walkModel } from './walker.js';
export type { WalkArea, WalkInput } from './walker.js';
