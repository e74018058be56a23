// @mmo/server public surface. Named exports only; see README.md for the manual.
export { createGateway, SERVER_VERSION } from './gateway/create-gateway.js';
export type { Gateway, GatewayEvents, GatewayOptions } from './gateway/create-gateway.js';

export { AuthError, AuthErrorCode, createAuthenticator, extractToken, isAuthError, redactUrl } from './gateway/auth/index.js';
export type { AuthErrorCodeName, AuthIdentity, Authenticator, AuthOptions } from './gateway/auth/index.js';
export { connectRateLimitDefaults, createConnectLimiter } from './gateway/connect-limiter.js';
export type { ConnectLimiter, ConnectRateLimitOptions } from './gateway/connect-limiter.js';

export { ConnectionManager, connectionManagerDefaults } from './connection/connection-manager.js';
export type { AdmissionRefusal, ConnectionManagerOptions, DuplicateLoginPolicy } from './connection/connection-manager.js';
export { connectionDefaults } from './connection/connection-options.js';
export type { ConnectionOptions } from './connection/connection-options.js';
export type { Connection, ConnectionState, CloseIntent } from './connection/connection.js';
export { WriteQueue, writeQueueDefaults } from './connection/write-queue/index.js';
export type { WriteQueueOptions } from './connection/write-queue/index.js';

export { createRouter, Router } from './router/router.js';
export type {
  HandlerContext,
  HandlerOptions,
  MessageHandler,
  Middleware,
  MmoConnectionInfo,
  MmoReplyChannel,
  SendOptions,
} from './router/router.js';
export { HandlerError, HandlerTimeoutError, isHandlerError } from './router/handler-error.js';
export { MessageRateLimiter, messageRateLimiterDefaults, TokenBucket } from './router/rate-limit/index.js';
export type { MessageRateLimit, MessageRateLimiterOptions, RateLimitVerdict } from './router/rate-limit/index.js';

export { MmoSession } from './session/mmo-session.js';
export type { MmoSessionState } from './session/mmo-session.js';
export { SessionManager } from './session/session-manager.js';
export type { OpenedSession, ResumeRejection, SessionLifecycle } from './session/session-manager.js';
export { sessionDefaults } from './session/session-options.js';
export type { SessionOptions } from './session/session-options.js';
export { MemorySessionStore, RedisSessionStore } from './session/store/index.js';
export type { RedisSessionStoreOptions, SessionStore, StoredOutboxEntry, StoredSession } from './session/store/index.js';
export { createGatewayMetrics } from './metrics/gateway-metrics.js';
export type { GatewayMetrics, GatewayMetricsOptions } from './metrics/gateway-metrics.js';
export { ConfigError, isConfigError } from './config/config-error.js';

export {
  MovementRejection,
  MovementValidator,
  StateHistory,
  StateProviderRegistry,
  TICK_RATE_MAX_HZ,
  TICK_RATE_MIN_HZ,
  TickLoop,
  Viewer,
  Zone,
  ZoneEntity,
  createPlayerMoveState,
  createStateSync,
  createSyncMetrics,
  movementValidatorDefaults,
  tickLoopDefaults,
  zoneDefaults,
} from './sync/index.js';
export type {
  EntityMove,
  GameplayHooks,
  MovementBounds,
  MovementInput,
  MovementRejectReason,
  MovementValidatorOptions,
  MovementVerdict,
  MovementViolation,
  PlayerMoveState,
  QueuedInput,
  SendToPlayer,
  SpawnOptions,
  StateHistoryEntry,
  StateProvider,
  StateSync,
  StateSyncOptions,
  SyncMetrics,
  TickLoopInit,
  TickLoopOptions,
  TickLoopStats,
  TickOverrunInfo,
  TickSample,
  ViewerSink,
  ViewerTickResult,
  ZoneEntityKind,
  ZoneInit,
  ZoneOptions,
  ZoneTickStats,
} from './sync/index.js';
export { InterestSet, SpatialGrid, interestSetDefaults, spatialGridDefaults } from './interest/index.js';
export type { InterestDiff, InterestSetOptions, InterestSource, SpatialGridOptions, SpatialVisitor } from './interest/index.js';

export {
  MemoryFriendsProvider,
  MemoryPresenceStore,
  PresenceError,
  PresenceErrorCode,
  PresenceStatus,
  RedisPresenceStore,
  createPresenceService,
  createStatusChangeHandler,
  fromWireStatus,
  isPresenceError,
  isPresenceStatus,
  memoryFriendsProviderDefaults,
  memoryPresenceStoreDefaults,
  offlineRecord,
  presenceErrorWireCodes,
  presenceServiceDefaults,
  redisPresenceStoreDefaults,
  toFriendStatus,
  toPresenceUpdate,
  toWireStatus,
} from './presence/index.js';
export type {
  FriendsProvider,
  MemoryFriendsProviderOptions,
  MemoryPresenceStoreOptions,
  PresenceChange,
  PresenceChangeListener,
  PresenceChangeReason,
  PresenceDeleteOptions,
  PresenceErrorCodeName,
  PresenceLogger,
  PresenceRecord,
  PresenceSend,
  PresenceService,
  PresenceServiceOptions,
  PresenceStats,
  PresenceStatusName,
  PresenceStore,
  RedisPresenceStoreOptions,
} from './presence/index.js';

export {
  ClusterError,
  ClusterErrorCode,
  InProcessClusterBus,
  InProcessClusterHub,
  MemoryNodeRegistry,
  MemoryZoneLeases,
  NodeHeartbeat,
  RedisClusterBus,
  RedisNodeRegistry,
  RedisZoneLeases,
  ZoneOwnership,
  clusterBusDefaults,
  clusterTopics,
  describeCluster,
  drainTargets,
  isAdminAction,
  isClusterError,
  nodeHeartbeatDefaults,
  redisClusterBusDefaults,
  registerClusterMetrics,
  retryableClusterErrorCodes,
  silentClusterLogger,
  zoneOwnershipDefaults,
} from './cluster/index.js';
export type {
  AdminAction,
  AdminDrain,
  AdminKick,
  ClusterBus,
  ClusterBusEvents,
  ClusterBusOptions,
  ClusterBusStats,
  ClusterErrorCodeName,
  ClusterHandler,
  ClusterLogger,
  ClusterMessageMeta,
  ClusterMetrics,
  ClusterMetricsSources,
  ClusterPayload,
  ClusterStatus,
  ClusterStatusSources,
  ClusterSubscription,
  ClusterTopic,
  InProcessClusterBusOptions,
  NodeHeartbeatOptions,
  NodeInfo,
  NodeMember,
  NodeRegistry,
  RedisClusterBusConnections,
  RedisClusterBusOptions,
  RedisNodeRegistryOptions,
  RedisZoneLeasesOptions,
  ZoneLease,
  ZoneLeases,
  ZoneLeaseState,
  ZoneLossReason,
  ZoneOwnershipEvents,
  ZoneOwnershipOptions,
} from './cluster/index.js';
export { attachCluster, attachClusterDefaults, ClaimsFriendsProvider, claimsFriendsProviderDefaults, createClusterZones, clusterZonesDefaults, RedisZonePlacements, redisZonePlacementsDefaults } from './node/index.js';
export type { AttachClusterOptions, ClaimsFriendsProviderOptions, ClusterNode, ClusterZones, ClusterZonesOptions, RedisZonePlacementsOptions, ZonePlacement, ZonePlacementStore } from './node/index.js';
export type { AdminCluster } from './admin/admin-routes.js';
