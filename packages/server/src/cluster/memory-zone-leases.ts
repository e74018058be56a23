import type { Clock } from '@mmo/protocol';
import { type ZoneLease, type ZoneLeases, type ZoneLeaseState, leaseTtl } from './zone-leases.js';

/**
 * Zone leases of one process (embedded gateway, tests): expiry on the injected clock. Keeps one
 * entry and one token counter per zone ever leased (zones are a configured list, so bounded).
 */
export class MemoryZoneLeases implements ZoneLeases {
  private readonly leases = new Map<string, { nodeId: string; token: number; expiresAt: number }>();
  private readonly fences = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  private live(zoneId: string) {
    const lease = this.leases.get(zoneId);
    if (lease === undefined) return undefined;
    if (lease.expiresAt <= this.clock.now()) {
      this.leases.delete(zoneId);
      return undefined;
    }
    return lease;
  }

  async acquire(zoneId: string, nodeId: string, ttlMs: number): Promise<ZoneLease | undefined> {
    const ttl = leaseTtl(ttlMs);
    const current = this.live(zoneId);
    if (current !== undefined) {
      if (current.nodeId !== nodeId) return undefined;
      current.expiresAt = this.clock.now() + ttl;
      return { zoneId, nodeId, token: current.token };
    }
    const token = (this.fences.get(zoneId) ?? 0) + 1;
    this.fences.set(zoneId, token);
    this.leases.set(zoneId, { nodeId, token, expiresAt: this.clock.now() + ttl });
    return { zoneId, nodeId, token };
  }

  async renew(lease: ZoneLease, ttlMs: number): Promise<boolean> {
    const ttl = leaseTtl(ttlMs);
    const current = this.live(lease.zoneId);
    if (current === undefined || current.nodeId !== lease.nodeId || current.token !== lease.token) return false;
    current.expiresAt = this.clock.now() + ttl;
    return true;
  }

  async release(lease: ZoneLease): Promise<boolean> {
    const current = this.live(lease.zoneId);
    if (current === undefined || current.nodeId !== lease.nodeId || current.token !== lease.token) return false;
    this.leases.delete(lease.zoneId);
    return true;
  }

  async owner(zoneId: string): Promise<ZoneLeaseState | undefined> {
    const current = this.live(zoneId);
    if (current === undefined) return undefined;
    return { zoneId, nodeId: current.nodeId, token: current.token, remainingMs: current.expiresAt - this.clock.now() };
  }
}
