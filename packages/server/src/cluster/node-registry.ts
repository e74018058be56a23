/** What a node says about itself in each heartbeat. */
export interface NodeInfo {
  /** Unique per process. */
  readonly nodeId: string;
  /** Where clients or peers reach it (e.g. `ws://10.0.0.5:8080/ws`). */
  readonly address: string;
  /** Start time, ms since the epoch (the node's clock). */
  readonly startedAt: number;
  /** Open client connections at the heartbeat. */
  readonly connections: number;
}

/** A live member, as last reported. */
export interface NodeMember extends NodeInfo {
  /** When the node sent this heartbeat, ms since the epoch (the node's own clock). */
  readonly heartbeatAt: number;
}

/**
 * Cluster membership: each node writes a record with a time to live and refreshes it before it
 * runs out (see {@link NodeHeartbeat}); a node that dies drops out when its record expires.
 * Implementations: {@link MemoryNodeRegistry}, {@link RedisNodeRegistry}; one contract suite.
 */
export interface NodeRegistry {
  /** Writes (or refreshes) this node's record for `ttlMs`. */
  heartbeat(info: NodeInfo, heartbeatAt: number, ttlMs: number): Promise<void>;
  /** Removes a node's record now (graceful shutdown). */
  remove(nodeId: string): Promise<void>;
  /** Live nodes, sorted by node id. */
  members(): Promise<NodeMember[]>;
}

/** Parses a stored member record; undefined when it is not one (another version wrote it, say). */
export function parseNodeMember(json: string): NodeMember | undefined {
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    if (typeof v['nodeId'] !== 'string' || typeof v['address'] !== 'string') return undefined;
    const num = (key: string) => (typeof v[key] === 'number' && Number.isFinite(v[key]) ? (v[key] as number) : 0);
    return { nodeId: v['nodeId'], address: v['address'], startedAt: num('startedAt'), connections: num('connections'), heartbeatAt: num('heartbeatAt') };
  } catch {
    return undefined;
  }
}

/** Copies the fields of a member (drops anything extra a caller passed). */
export function toNodeMember(info: NodeInfo, heartbeatAt: number): NodeMember {
  return { nodeId: info.nodeId, address: info.address, startedAt: info.startedAt, connections: info.connections, heartbeatAt };
}
