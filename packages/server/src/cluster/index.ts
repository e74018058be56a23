export { clusterBusDefaults } from './cluster-bus.js';
export type {
  ClusterBus,
  ClusterBusEvents,
  ClusterBusOptions,
  ClusterBusStats,
  ClusterHandler,
  ClusterMessageMeta,
  ClusterSubscription,
} from './cluster-bus.js';
export { ClusterError, ClusterErrorCode, isClusterError, retryableClusterErrorCodes } from './cluster-error.js';
export type { ClusterErrorCodeName } from './cluster-error.js';
export { silentClusterLogger } from './cluster-logger.js';
export type { ClusterLogger } from './cluster-logger.js';
export { clusterTopics, drainTargets, isAdminAction } from './topics.js';
export type { AdminAction, AdminDrain, AdminKick, ClusterPayload, ClusterTopic } from './topics.js';
export { InProcessClusterBus, InProcessClusterHub } from './in-process-cluster-bus.js';
export type { InProcessClusterBusOptions } from './in-process-cluster-bus.js';
export { RedisClusterBus, redisClusterBusDefaults } from './redis-cluster-bus.js';
export type { RedisClusterBusConnections, RedisClusterBusOptions } from './redis-cluster-bus.js';
export type { NodeInfo, NodeMember, NodeRegistry } from './node-registry.js';
export { MemoryNodeRegistry } from './memory-node-registry.js';
export { RedisNodeRegistry } from './redis-node-registry.js';
export type { RedisNodeRegistryOptions } from './redis-node-registry.js';
export { NodeHeartbeat, nodeHeartbeatDefaults } from './node-heartbeat.js';
export type { NodeHeartbeatOptions } from './node-heartbeat.js';
export type { ZoneLease, ZoneLeases, ZoneLeaseState } from './zone-leases.js';
export { MemoryZoneLeases } from './memory-zone-leases.js';
export { RedisZoneLeases } from './redis-zone-leases.js';
export type { RedisZoneLeasesOptions } from './redis-zone-leases.js';
export { ZoneOwnership, zoneOwnershipDefaults } from './zone-ownership.js';
export type { ZoneLossReason, ZoneOwnershipEvents, ZoneOwnershipOptions } from './zone-ownership.js';
export { registerClusterMetrics } from './cluster-metrics.js';
export type { ClusterMetrics, ClusterMetricsSources } from './cluster-metrics.js';
export { describeCluster } from './cluster-status.js';
export type { ClusterStatus, ClusterStatusSources } from './cluster-status.js';
