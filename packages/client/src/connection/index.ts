export { BACKOFF_JITTER_MAX, BACKOFF_JITTER_MIN, backoffDefaults, backoffDelayMs } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { CLIENT_VERSION, ConnectionManager } from './connection-manager.js';
export type { ConnectionManagerDeps } from './connection-manager.js';
export type {
  ClientErrorEvent,
  ConnectedEvent,
  ConnectionEvents,
  ConnectionState,
  DisconnectEvent,
  StateChangeEvent,
} from './connection-events.js';
export { connectionDefaults } from './connection-options.js';
export type { ConnectionManagerSettings, ConnectionOptions, TokenProvider } from './connection-options.js';
export { Heartbeat, heartbeatDefaults } from './heartbeat.js';
export type { HeartbeatDeps, HeartbeatOptions } from './heartbeat.js';
export { LocalCloseCode, NON_RETRYABLE_HTTP_STATUSES, ReconnectPolicy, classify } from './reconnect-policy.js';
export type { AttemptOutcome, DisconnectHint, ReconnectDecision } from './reconnect-policy.js';
export { RTT_ALPHA, RTT_BETA, RttEstimator } from './rtt.js';
export { TimeSyncEstimator, TimeSyncScheduler, timeSyncDefaults } from './time-sync.js';
export type { TimeSyncOptions, TimeSyncSample, TimeSyncSchedulerDeps } from './time-sync.js';
