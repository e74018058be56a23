import { CloseCode, MessageType, type Clock, systemClock } from '@mmo/protocol';
import type { Redis } from 'ioredis';
import type { ClusterBus } from '../cluster/cluster-bus.js';
import type { ClusterLogger } from '../cluster/cluster-logger.js';
import { registerClusterMetrics } from '../cluster/cluster-metrics.js';
import { describeCluster } from '../cluster/cluster-status.js';
import { InProcessClusterBus } from '../cluster/in-process-cluster-bus.js';
import { MemoryNodeRegistry } from '../cluster/memory-node-registry.js';
import { MemoryZoneLeases } from '../cluster/memory-zone-leases.js';
import { NodeHeartbeat } from '../cluster/node-heartbeat.js';
import type { NodeRegistry } from '../cluster/node-registry.js';
import { RedisClusterBus } from '../cluster/redis-cluster-bus.js';
import { RedisNodeRegistry } from '../cluster/redis-node-registry.js';
import { RedisZoneLeases } from '../cluster/redis-zone-leases.js';
import { clusterTopics, drainTargets, type AdminAction } from '../cluster/topics.js';
import type { ZoneLeases } from '../cluster/zone-leases.js';
import { ZoneOwnership } from '../cluster/zone-ownership.js';
import type { Gateway } from '../gateway/create-gateway.js';
import type { FriendsProvider } from '../presence/friends-provider.js';
import { MemoryPresenceStore } from '../presence/memory-presence-store.js';
import { createPresenceService, type PresenceService } from '../presence/presence-service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { RedisPresenceStore } from '../presence/redis-presence-store.js';
import { createStatusChangeHandler } from '../presence/status-change-handler.js';
import type { GameplayHooks } from '../sync/gameplay-hooks.js';
import { createStateSync, type StateSync } from '../sync/state-sync.js';
import { createSyncMetrics } from '../sync/sync-metrics.js';
import type { ZoneOptions } from '../sync/zone-options.js';
import { ClaimsFriendsProvider } from './claims-friends-provider.js';
import { type ClusterZones, clusterZonesDefaults, createClusterZones } from './cluster-zones.js';
import { RedisZonePlacements } from './zone-placements.js';

/** Options of {@link attachCluster}. */
export interface AttachClusterOptions {
  /**
   * Redis shared by the nodes (an existing client; never quit here). Without it the node runs
   * embedded: in-memory presence, no bus, and the single-node state sync (`createStateSync`).
   */
  redis?: Redis;
  /** This node's id; must equal the gateway's `nodeId` (session ownership). */
  nodeId: string;
  /**
   * Prefix of every Redis key and channel.
   * @default 'mmo:'
   */
  keyPrefix?: string;
  /**
   * Zones of the cluster; every node may simulate each (one at a time, by lease).
   * @default ['default']
   */
  zones?: readonly string[];
  /**
   * Who may see whom. With the default, users whose token has no `friends` claim take no part in
   * presence (no FRIEND_LIST, nobody watches them), exactly as before presence was wired.
   * @default a ClaimsFriendsProvider (the token's `friends` claim)
   */
  friends?: FriendsProvider;
  /**
   * Presence record TTL, in ms; refreshed every third of it by the owning node.
   * @default 30000
   */
  presenceTtlMs?: number;
  /**
   * Zone lease TTL, in ms; renewed every third of it.
   * @default 10000
   */
  zoneLeaseTtlMs?: number;
  /**
   * Node heartbeat TTL, in ms; a heartbeat every third of it.
   * @default 6000
   */
  nodeTtlMs?: number;
  /** Address other nodes and operators see in the membership list. @default the gateway's ws URL */
  address?: string;
  /** Ticks per second of every zone. @default 20 */
  tickRate?: number;
  /** Zone settings. @default zoneDefaults */
  zone?: ZoneOptions;
  /** Game hooks. @default none */
  hooks?: GameplayHooks;
  /** @default systemClock */
  clock?: Clock;
}

/** Defaults of {@link AttachClusterOptions}. */
export const attachClusterDefaults = Object.freeze({
  keyPrefix: 'mmo:',
  zones: Object.freeze(['default']) as readonly string[],
  presenceTtlMs: 30_000,
  zoneLeaseTtlMs: 10_000,
  nodeTtlMs: 6_000,
  tickRate: 20,
});

/** A node's cluster parts, attached to its gateway. */
export interface ClusterNode {
  readonly nodeId: string;
  readonly presence: PresenceService;
  /** Absent when embedded. */
  readonly bus: ClusterBus | undefined;
  readonly ownership: ZoneOwnership | undefined;
  /** Cross-node zones (with Redis); the embedded node has `stateSync` instead. */
  readonly zones: ClusterZones | undefined;
  readonly stateSync: StateSync | undefined;
  /** True while everything that needs Redis works (always true embedded). */
  isHealthy(): boolean;
  /** Releases zones, leaves the membership, takes this node's users offline, closes the bus. Call after `gateway.drain()`. */
  close(): Promise<void>;
}

/** One third of a TTL: two refreshes may fail before it runs out. */
const third = (ttlMs: number) => Math.max(100, Math.floor(ttlMs / 3));

/**
 * Wires presence, friends, the cluster bus, membership, zone ownership, admin actions, readiness
 * and metrics into a gateway. With `redis` the node joins a cluster of every node sharing that
 * Redis and `keyPrefix`; without it everything is in this process (the embedded default).
 * @example
 * const gateway = createGateway({ nodeId, auth, sessionStore: new RedisSessionStore(redis) });
 * const node = attachCluster(gateway, { redis, nodeId, zones: ['forest'] });
 * await gateway.listen();
 * // on SIGTERM: await gateway.drain(); await node.close();
 */
export function attachCluster(gateway: Gateway, options: AttachClusterOptions): ClusterNode {
  const { redis, nodeId } = options;
  const clock = options.clock ?? systemClock;
  const keyPrefix = options.keyPrefix ?? attachClusterDefaults.keyPrefix;
  const zones = [...(options.zones ?? attachClusterDefaults.zones)];
  const presenceTtlMs = options.presenceTtlMs ?? attachClusterDefaults.presenceTtlMs;
  const zoneLeaseTtlMs = options.zoneLeaseTtlMs ?? attachClusterDefaults.zoneLeaseTtlMs;
  const nodeTtlMs = options.nodeTtlMs ?? attachClusterDefaults.nodeTtlMs;
  const tickRate = options.tickRate ?? attachClusterDefaults.tickRate;
  const log = gateway.logger.child({ nodeId });
  const clusterLog: ClusterLogger = {
    debug: (fields, message) => log.debug(fields, message),
    info: (fields, message) => log.info(fields, message),
    warn: (fields, message) => log.warn(fields, message),
    error: (fields, message) => log.error(fields, message),
  };

  // Presence: Redis store (TTL refreshed by this node) or memory; friends from tokens by default.
  const claims = options.friends === undefined ? new ClaimsFriendsProvider() : undefined;
  const friends = options.friends ?? claims!;
  const store: PresenceStore =
    redis === undefined
      ? new MemoryPresenceStore(clock)
      : new RedisPresenceStore(redis, {
          keyPrefix,
          clock,
          onError: (error, context) => log.debug({ err: error instanceof Error ? error.message : String(error), context }, 'presence store background error'),
        });
  const presence = createPresenceService({
    store,
    friends,
    nodeId,
    clock,
    ttlMs: presenceTtlMs,
    refreshIntervalMs: third(presenceTtlMs),
    send: (userId, type, payload) => gateway.sendToUser(userId, type, payload),
    logger: log,
  });
  gateway.router.on(MessageType.PLAYER_STATUS_CHANGE, createStatusChangeHandler(presence));
  /** Sessions taking part in presence (all of them with a custom provider; with claims, those whose token has `friends`). */
  const inPresence = new Set<string>();
  const onPresenceConnection = (info: { userId: string; sessionId: string; claims: Readonly<Record<string, unknown>> }) => {
    if (claims !== undefined && !claims.track(info.sessionId, info.userId, info.claims)) return;
    inPresence.add(info.sessionId);
    presence.connect(info.userId, info.sessionId).catch((error: unknown) => log.warn({ err: error, userId: info.userId }, 'presence connect failed'));
  };
  const onPresenceEnded = (session: { id: string; userId: string }) => {
    if (!inPresence.delete(session.id)) return;
    presence
      .disconnect(session.userId, session.id)
      .catch((error: unknown) => log.warn({ err: error, userId: session.userId }, 'presence disconnect failed'))
      .finally(() => claims?.untrack(session.id));
  };
  gateway.events.on('connection', onPresenceConnection);
  gateway.events.on('sessionEnded', onPresenceEnded);

  const syncMetrics = createSyncMetrics(gateway.metrics.registry);
  if (redis === undefined) {
    // Embedded: one process, the single-node state sync, as before.
    const stateSync = createStateSync(gateway, { tickRate, zoneId: zones[0] ?? 'default', clock, metrics: syncMetrics, ...(options.zone === undefined ? {} : { zone: options.zone }), ...(options.hooks === undefined ? {} : { hooks: options.hooks }) });
    return {
      nodeId,
      presence,
      bus: undefined,
      ownership: undefined,
      zones: undefined,
      stateSync,
      isHealthy: () => true,
      close: async () => {
        stateSync.stop();
        await presence.close();
      },
    };
  }

  const bus: ClusterBus = new RedisClusterBus({ redis }, { nodeId, keyPrefix, clock, logger: clusterLog });
  const nodes: NodeRegistry = new RedisNodeRegistry(redis, { keyPrefix });
  const leases: ZoneLeases = new RedisZoneLeases(redis, { keyPrefix });
  const heartbeat = new NodeHeartbeat({
    registry: nodes,
    clock,
    nodeTtlMs,
    heartbeatIntervalMs: third(nodeTtlMs),
    logger: clusterLog,
    describe: () => {
      let address = options.address ?? '';
      if (address === '') {
        try {
          const a = gateway.address();
          address = `ws://${a.host}:${a.port}`;
        } catch {
          address = 'not listening';
        }
      }
      return { nodeId, address, startedAt, connections: gateway.connections.size };
    },
  });
  const startedAt = clock.now();
  const ownership = new ZoneOwnership({ leases, nodeId, zones, clock, leaseTtlMs: zoneLeaseTtlMs, renewIntervalMs: third(zoneLeaseTtlMs), logger: clusterLog });
  const clusterZones = createClusterZones({
    gateway,
    bus,
    ownership,
    nodes,
    nodeId,
    zones,
    tickRate,
    clock,
    metrics: syncMetrics,
    // A takeover waits one lease TTL; the record outlives a few, and a second of announcements.
    placements: new RedisZonePlacements(redis, { keyPrefix, ttlMs: Math.max(3 * zoneLeaseTtlMs, 3 * clusterZonesDefaults.announceIntervalMs) }),
    ...(options.zone === undefined ? {} : { zone: options.zone }),
    ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
  });

  // Admin actions from any node (this one included: its own are handled by the admin route directly).
  const kickLocal = (userId: string, reason: string) => {
    const targets = gateway.connections.byUserId(userId);
    for (const c of targets) c.close({ code: CloseCode.POLICY_VIOLATION, reason, disconnect: { code: CloseCode.KICKED, reconnect: false } });
    return targets.length;
  };
  const offAdmin = bus.subscribe(clusterTopics.admin, (action: AdminAction, meta) => {
    if (action.action === 'kick') {
      if (meta.from === nodeId) return;
      const kicked = kickLocal(action.userId, action.reason);
      if (kicked > 0) log.info({ userId: action.userId, kicked, from: meta.from }, 'kicked by a cluster admin action');
    } else if (drainTargets(action, nodeId)) {
      log.info({ from: meta.from, target: action.nodeId }, 'draining on a cluster admin action');
      void gateway.drain();
    }
  });
  gateway.setAdminCluster({
    describe: () => describeCluster({ nodeId, bus, nodes, leases, zones }).then((status) => ({ ...status, hosted: clusterZones.hosted() })),
    kick: (userId, reason) => bus.publish(clusterTopics.admin, { action: 'kick', userId, reason }),
    drain: (target) => bus.publish(clusterTopics.admin, { action: 'drain', nodeId: target }),
  });
  registerClusterMetrics(gateway.metrics.registry, { bus, nodes, ownership });

  // Readiness follows Redis: the gateway keeps serving what does not need it meanwhile.
  const isHealthy = () => redis.status === 'ready' && bus.isHealthy() && presence.isHealthy();
  gateway.addReadinessCheck(isHealthy);
  let lastHealthy = true;
  const onHealth = (healthy: boolean) => {
    if (healthy === lastHealthy) return;
    lastHealthy = healthy;
    if (healthy) log.info('redis reachable again: bus re-subscribed, not-ready cleared');
    else log.warn('redis unreachable: reporting not ready; serving local connections, reconnecting with backoff');
  };
  bus.on('health', onHealth);

  heartbeat.start();
  ownership.start();
  gateway.events.once('draining', () => {
    // Hand the zones over at once instead of letting their leases run out.
    clusterZones.stop();
    ownership.stop({ release: true }).catch(() => {});
  });

  let closing: Promise<void> | undefined;
  return {
    nodeId,
    presence,
    bus,
    ownership,
    zones: clusterZones,
    stateSync: undefined,
    isHealthy,
    close: () =>
      (closing ??= (async () => {
        clusterZones.stop();
        offAdmin();
        bus.off('health', onHealth);
        gateway.setAdminCluster(undefined);
        await Promise.allSettled([ownership.stop({ release: true }), heartbeat.stop({ remove: true })]);
        await presence.close().catch(() => {});
        await store.close().catch(() => {});
        await bus.close();
      })()),
  };
}
