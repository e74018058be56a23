// @mmo/client public surface. Named exports only; see README.md for the manual.
export { createMmoClient, mmoClientDefaults } from './client.js';
export type { MmoClient, MmoClientOptions } from './client.js';

export {
  BACKOFF_JITTER_MAX,
  BACKOFF_JITTER_MIN,
  CLIENT_VERSION,
  ConnectionManager,
  Heartbeat,
  LocalCloseCode,
  NON_RETRYABLE_HTTP_STATUSES,
  RTT_ALPHA,
  RTT_BETA,
  ReconnectPolicy,
  RttEstimator,
  TimeSyncEstimator,
  TimeSyncScheduler,
  backoffDefaults,
  backoffDelayMs,
  classify,
  connectionDefaults,
  heartbeatDefaults,
  timeSyncDefaults,
} from './connection/index.js';
export type {
  AttemptOutcome,
  BackoffOptions,
  ClientErrorEvent,
  ConnectedEvent,
  ConnectionEvents,
  ConnectionManagerDeps,
  ConnectionManagerSettings,
  ConnectionOptions,
  ConnectionState,
  DisconnectEvent,
  DisconnectHint,
  HeartbeatDeps,
  HeartbeatOptions,
  ReconnectDecision,
  StateChangeEvent,
  TimeSyncOptions,
  TimeSyncSample,
  TimeSyncSchedulerDeps,
  TokenProvider,
} from './connection/index.js';

export { Dispatcher, StateProviderRegistry, createEventBus } from './dispatch/index.js';
export type { EventBus, HandlerErrorSink, HandlerOptions, InboundMessage, MessageHandler, StateProvider } from './dispatch/index.js';

export {
  ClientErrorCode,
  ConnectionClosedError,
  MessageExpiredError,
  MessageSupersededError,
  NotConnectedError,
  OfflineQueueFullError,
  SendTimeoutError,
  ServerError,
  SessionLostError,
  WebSocketUnavailableError,
  isClientError,
  isServerError,
  isSessionLostError,
} from './errors.js';
export type { ClientErrorCodeName, ConnectionClosedReason, QueueLimitName } from './errors.js';

export { TypedEmitter } from './events/index.js';
export type { Listener, Unsubscribe } from './events/index.js';

export {
  SnapshotBuffer,
  createInterpolator,
  interpolationDefaults,
  interpolationDelayForTickRate,
  resolveInterpolationOptions,
  slerpQuaternion,
} from './interpolation/index.js';
export type {
  InterpolatedState,
  InterpolationOptions,
  InterpolationPositionMode,
  InterpolationPushResult,
  InterpolationSample,
  InterpolationStatus,
  Interpolator,
} from './interpolation/index.js';

export { AckProbe, Outbound, SendPacer, ackProbeDefaults, outboundDefaults } from './outbound/index.js';
export type { AckProbeDeps, AckProbeOptions, OutboundCounters, OutboundFrame, OutboundMessage, OutboundOptions, OutboundWriter, SendOptions, SequenceError } from './outbound/index.js';

export { InputRingBuffer, createPredictor, predictorDefaults } from './prediction/index.js';
export type {
  PendingInput,
  PredictedInput,
  PredictionCorrectionEvent,
  PredictionCounters,
  PredictionModel,
  Predictor,
  PredictorEvents,
  PredictorOptions,
  ReconcileOutcome,
  ReconcileResult,
} from './prediction/index.js';

export { AckScheduler, ackDefaults } from './sequencer/index.js';
export type { AckOptions } from './sequencer/index.js';
// The inbound sequencer is the protocol package's (the server runs the same one), re-exported here.
export { InboundSequencer, sequencerDefaults } from '@mmo/protocol';
export type { SequencerOptions, SequencerVerdict } from '@mmo/protocol';

export { NetworkStats, RateWindow } from './stats/index.js';
export type { NetworkStatsSnapshot, NetworkStatsSources } from './stats/index.js';

export {
  RESUME_QUERY_PARAM,
  TOKEN_QUERY_PARAM,
  WEBSOCKET_OPEN,
  createWebSocketTransport,
  resolveWebSocket,
  webSocketTransportDefaults,
  withQuery,
} from './transport/index.js';
export type {
  CloseEventLike,
  ErrorEventLike,
  MessageEventLike,
  TokenCarrier,
  Transport,
  TransportCloseInfo,
  TransportFactory,
  TransportHandlers,
  TransportRequest,
  WebSocketConstructorLike,
  WebSocketConstructorOptions,
  WebSocketLike,
  WebSocketTransportOptions,
} from './transport/index.js';

export {
  WORLD_HANDLER_PRIORITY,
  WORLD_MESSAGE_TYPES,
  WorldDesyncError,
  WorldStateErrorCode,
  attachWorldState,
  createWorldState,
  feedInterpolator,
  isWorldDesyncError,
  worldStateDefaults,
} from './world/index.js';
export type {
  WorldCorrectionEvent,
  WorldDesyncEvent,
  WorldDesyncReason,
  WorldEntity,
  WorldEntityEnteredEvent,
  WorldEntityExitedEvent,
  WorldEntityKind,
  WorldEntityUpdatedEvent,
  WorldExitReason,
  WorldSelfStateEvent,
  WorldState,
  WorldStateClient,
  WorldStateEvents,
  WorldStateOptions,
  WorldTickEvent,
} from './world/index.js';
