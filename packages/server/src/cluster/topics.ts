/** What travels on the bus: raw bytes (kept byte for byte) or a JSON-serialisable object. */
export type ClusterPayload = Uint8Array | object;

/**
 * A named channel of the cluster bus, typed by what it carries. `accepts` checks every received
 * message (it came over the network, maybe from another version of the node): messages it refuses
 * are dropped and counted as `invalid`, never handed to a handler.
 */
export interface ClusterTopic<T extends ClusterPayload = ClusterPayload> {
  readonly name: string;
  readonly accepts?: (message: ClusterPayload) => message is T;
}

/** Cluster-wide admin action: close every connection of a user. */
export interface AdminKick {
  readonly action: 'kick';
  readonly userId: string;
  readonly reason: string;
}

/** Cluster-wide admin action: drain one node (by id) or every node. */
export interface AdminDrain {
  readonly action: 'drain';
  readonly nodeId: string | 'all';
}

/** Messages of the {@link clusterTopics.admin} topic. */
export type AdminAction = AdminKick | AdminDrain;

/** Longest `reason` kept in an admin kick (matches the admin API's close reason limit). */
const MAX_REASON_LENGTH = 100;

/** True for a well-formed {@link AdminAction}. */
export function isAdminAction(message: ClusterPayload): message is AdminAction {
  if (message instanceof Uint8Array) return false;
  const m = message as Record<string, unknown>;
  if (m['action'] === 'kick') {
    return typeof m['userId'] === 'string' && m['userId'] !== '' && typeof m['reason'] === 'string' && m['reason'].length <= MAX_REASON_LENGTH;
  }
  if (m['action'] === 'drain') return typeof m['nodeId'] === 'string' && m['nodeId'] !== '';
  return false;
}

/** True if a drain action targets `nodeId`. */
export function drainTargets(action: AdminDrain, nodeId: string): boolean {
  return action.nodeId === 'all' || action.nodeId === nodeId;
}

const adminTopic: ClusterTopic<AdminAction> = Object.freeze({ name: 'admin', accepts: isAdminAction });

/**
 * The topics the gateway uses. Names are stable (they are Redis channel suffixes, see
 * the package README, "Several nodes with Redis"); ids are used verbatim (Redis channels are binary-safe).
 * @example
 * bus.subscribe(clusterTopics.toUser('u1'), (message) => deliverToLocalSockets('u1', message));
 * await bus.publish(clusterTopics.admin, { action: 'kick', userId: 'u1', reason: 'banned' });
 */
export const clusterTopics = Object.freeze({
  /** Messages for one user, wherever their socket is (subscribed by the node that holds it). */
  toUser: (userId: string): ClusterTopic => ({ name: `user:${userId}` }),
  /** Broadcast to everyone in a zone, on every node. */
  toZone: (zoneId: string): ClusterTopic => ({ name: `zone:${zoneId}` }),
  /** Messages for one node (e.g. forwarded inputs for a zone it simulates). */
  toNode: (nodeId: string): ClusterTopic => ({ name: `node:${nodeId}` }),
  /** Cluster-wide admin actions (kick, drain); every node subscribes. */
  admin: adminTopic,
});
