export { NetworkStats } from './network-stats.js';
export type { NetworkStatsSnapshot, NetworkStatsSources } from './network-stats.js';
export { RateWindow } from './rate-window.js';
