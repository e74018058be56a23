export { attachCluster, attachClusterDefaults } from './attach-cluster.js';
export type { AttachClusterOptions, ClusterNode } from './attach-cluster.js';
export { ClaimsFriendsProvider, claimsFriendsProviderDefaults } from './claims-friends-provider.js';
export type { ClaimsFriendsProviderOptions } from './claims-friends-provider.js';
export { createClusterZones, clusterZonesDefaults } from './cluster-zones.js';
export type { ClusterZones, ClusterZonesOptions } from './cluster-zones.js';
export { RedisZonePlacements, redisZonePlacementsDefaults } from './zone-placements.js';
export type { RedisZonePlacementsOptions, ZonePlacement, ZonePlacementStore } from './zone-placements.js';
