import type { Clock } from '@mmo/protocol';
import { type NodeInfo, type NodeMember, type NodeRegistry, toNodeMember } from './node-registry.js';

/** Membership of the embedded gateway (and tests): expiry on the injected clock. */
export class MemoryNodeRegistry implements NodeRegistry {
  private readonly nodes = new Map<string, { member: NodeMember; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async heartbeat(info: NodeInfo, heartbeatAt: number, ttlMs: number): Promise<void> {
    this.nodes.set(info.nodeId, { member: toNodeMember(info, heartbeatAt), expiresAt: this.clock.now() + ttlMs });
  }

  async remove(nodeId: string): Promise<void> {
    this.nodes.delete(nodeId);
  }

  async members(): Promise<NodeMember[]> {
    const now = this.clock.now();
    const live: NodeMember[] = [];
    for (const [id, record] of this.nodes) {
      if (record.expiresAt <= now) this.nodes.delete(id);
      else live.push(record.member);
    }
    return live.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }
}
