import type { ClusterBus } from './cluster-bus.js';
import type { NodeMember, NodeRegistry } from './node-registry.js';
import type { ZoneLeases, ZoneLeaseState } from './zone-leases.js';

/** What {@link describeCluster} reads. */
export interface ClusterStatusSources {
  nodeId: string;
  bus?: ClusterBus;
  nodes?: NodeRegistry;
  leases?: ZoneLeases;
  /** Zones to report the owner of (the configured list). */
  zones?: readonly string[];
}

/** JSON body of the admin API's cluster view. */
export interface ClusterStatus {
  nodeId: string;
  busHealthy: boolean | null;
  members: NodeMember[];
  zones: Array<{ zoneId: string; owner: ZoneLeaseState | null }>;
  /** What could not be read (Redis down, say); the rest is still reported. */
  errors: string[];
}

/**
 * The cluster as this node sees it, for `GET /admin/cluster`: live members, the owner of each
 * configured zone, bus health. Never rejects: unreadable parts are listed in `errors`.
 */
export async function describeCluster(sources: ClusterStatusSources): Promise<ClusterStatus> {
  const errors: string[] = [];
  const note = (what: string) => (error: unknown) => {
    errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  };
  const [members, owners] = await Promise.all([
    sources.nodes?.members().catch(note('members')),
    Promise.all((sources.zones ?? []).map((zoneId) => (sources.leases?.owner(zoneId) ?? Promise.resolve(undefined)).catch(note(`zone ${zoneId}`)))),
  ]);
  return {
    nodeId: sources.nodeId,
    busHealthy: sources.bus?.isHealthy() ?? null,
    members: members ?? [],
    zones: (sources.zones ?? []).map((zoneId, i) => ({ zoneId, owner: owners[i] ?? null })),
    errors,
  };
}
