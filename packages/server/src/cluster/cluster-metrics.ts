import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterBus, ClusterBusStats } from './cluster-bus.js';
import type { NodeRegistry } from './node-registry.js';
import type { ZoneOwnership } from './zone-ownership.js';

/** What {@link registerClusterMetrics} reads; each part is optional. */
export interface ClusterMetricsSources {
  bus?: ClusterBus;
  /** Membership, listed at each scrape (a failed listing keeps the previous figures). */
  nodes?: NodeRegistry;
  /** This node's zones. */
  ownership?: ZoneOwnership;
}

/** The metrics registered by {@link registerClusterMetrics}. */
export interface ClusterMetrics {
  /** 1 while the bus can publish and every subscription works. */
  readonly busHealthy: Gauge;
  /** Bus messages by direction: `out` published, `in` handed to handlers. */
  readonly busMessages: Counter<'direction'>;
  readonly busPublishFailures: Counter;
  /** Received messages dropped, by reason (`malformed`, `invalid`). */
  readonly busDropped: Counter<'reason'>;
  readonly busHandlerErrors: Counter;
  readonly busResubscribes: Counter;
  /** Live nodes of the cluster. */
  readonly nodes: Gauge;
  /** Open connections per live node. */
  readonly nodeConnections: Gauge<'node_id'>;
  /** 1 for each configured zone this node simulates, 0 for the others. */
  readonly zoneOwned: Gauge<'zone'>;
  /** Zones acquired and lost by this node, by event and (for `lost`) reason. */
  readonly zoneOwnershipChanges: Counter<'event' | 'reason'>;
}

/**
 * Registers the cluster's metrics (names `mmo_cluster_*`, see the package README, "Several nodes with Redis") into a gateway's
 * registry; bus counters and figures are read at scrape time, so nothing runs on the hot path.
 * @example
 * registerClusterMetrics(gateway.metrics.registry, { bus, nodes: registry, ownership });
 */
export function registerClusterMetrics(registry: Registry, sources: ClusterMetricsSources): ClusterMetrics {
  const registers = [registry];
  const { bus, nodes, ownership } = sources;
  // Bus counters are cumulative numbers on the bus; each scrape adds what changed since the last one.
  let last: ClusterBusStats | undefined;
  const syncBus = () => {
    if (bus === undefined) return;
    const now = bus.stats();
    const prev = last ?? { published: 0, publishFailed: 0, delivered: 0, droppedMalformed: 0, droppedInvalid: 0, handlerErrors: 0, resubscribes: 0 };
    last = now;
    busMessages.inc({ direction: 'out' }, now.published - prev.published);
    busMessages.inc({ direction: 'in' }, now.delivered - prev.delivered);
    busPublishFailures.inc(now.publishFailed - prev.publishFailed);
    busDropped.inc({ reason: 'malformed' }, now.droppedMalformed - prev.droppedMalformed);
    busDropped.inc({ reason: 'invalid' }, now.droppedInvalid - prev.droppedInvalid);
    busHandlerErrors.inc(now.handlerErrors - prev.handlerErrors);
    busResubscribes.inc(now.resubscribes - prev.resubscribes);
  };
  const busMessages = new Counter({ name: 'mmo_cluster_bus_messages_total', help: 'Cluster bus messages by direction', labelNames: ['direction'], registers, collect: syncBus });
  const busPublishFailures = new Counter({ name: 'mmo_cluster_bus_publish_failures_total', help: 'Cluster bus publishes that failed', registers, collect: syncBus });
  const busDropped = new Counter({ name: 'mmo_cluster_bus_dropped_total', help: 'Received cluster bus messages dropped, by reason', labelNames: ['reason'], registers, collect: syncBus });
  const busHandlerErrors = new Counter({ name: 'mmo_cluster_bus_handler_errors_total', help: 'Cluster bus handlers that threw', registers, collect: syncBus });
  const busResubscribes = new Counter({ name: 'mmo_cluster_bus_resubscribes_total', help: 'Re-subscriptions after a Redis reconnect', registers, collect: syncBus });
  const busHealthy = new Gauge({
    name: 'mmo_cluster_bus_healthy',
    help: '1 while the cluster bus can publish and receive',
    registers,
    collect() {
      if (bus !== undefined) this.set(bus.isHealthy() ? 1 : 0);
    },
  });
  // Both membership gauges collect from one listing per scrape (prom-client collects them in parallel).
  let listing: Promise<void> | undefined;
  const syncMembers = (): Promise<void> => {
    if (nodes === undefined) return Promise.resolve();
    listing ??= nodes
      .members()
      .then(
        (members) => {
          nodeGauge.set(members.length);
          nodeConnections.reset();
          for (const m of members) nodeConnections.set({ node_id: m.nodeId }, m.connections);
        },
        () => {
          // Registry unreachable: keep the last figures (readiness and logs report the outage).
        },
      )
      .finally(() => {
        listing = undefined;
      });
    return listing;
  };
  const nodeGauge = new Gauge({ name: 'mmo_cluster_nodes', help: 'Live nodes of the cluster', registers, collect: syncMembers });
  const nodeConnections = new Gauge({ name: 'mmo_cluster_node_connections', help: 'Open connections per live node', labelNames: ['node_id'], registers, collect: syncMembers });
  const zoneOwned = new Gauge({
    name: 'mmo_cluster_zone_owned',
    help: '1 for each configured zone this node simulates',
    labelNames: ['zone'],
    registers,
    collect() {
      if (ownership === undefined) return;
      for (const zone of ownership.configuredZones()) this.set({ zone }, ownership.isOwner(zone) ? 1 : 0);
    },
  });
  const zoneOwnershipChanges = new Counter({ name: 'mmo_cluster_zone_ownership_changes_total', help: 'Zones acquired and lost by this node', labelNames: ['event', 'reason'], registers });
  ownership?.on('acquired', () => zoneOwnershipChanges.inc({ event: 'acquired', reason: '' }));
  ownership?.on('lost', (_zone, reason) => zoneOwnershipChanges.inc({ event: 'lost', reason }));
  return { busHealthy, busMessages, busPublishFailures, busDropped, busHandlerErrors, busResubscribes, nodes: nodeGauge, nodeConnections, zoneOwned, zoneOwnershipChanges };
}
