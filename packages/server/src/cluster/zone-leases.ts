/** A held zone lease. `token` is the fencing token: it increases with every new acquisition of the zone. */
export interface ZoneLease {
  readonly zoneId: string;
  readonly nodeId: string;
  readonly token: number;
}

/** The current owner of a zone, as the lease store sees it. */
export interface ZoneLeaseState extends ZoneLease {
  /** Time left before the lease expires unless renewed, ms. */
  readonly remainingMs: number;
}

/**
 * Who simulates each zone: at most one node holds a zone's lease at a time; a lease expires unless
 * renewed, so a dead node's zones are taken over. Writes made on behalf of a zone should carry the
 * lease's token, so a store can refuse a stale owner's late write (fencing).
 * Implementations: {@link MemoryZoneLeases}, {@link RedisZoneLeases}; one contract suite.
 */
export interface ZoneLeases {
  /**
   * Takes the zone for `ttlMs` if nobody holds it (new, higher token). If `nodeId` already holds it,
   * extends it and returns the same lease (re-entrant). Undefined if another node holds it.
   */
  acquire(zoneId: string, nodeId: string, ttlMs: number): Promise<ZoneLease | undefined>;
  /** Extends the lease to `ttlMs` from now only if it is still this exact lease (node and token). */
  renew(lease: ZoneLease, ttlMs: number): Promise<boolean>;
  /** Gives the lease up only if it is still this exact lease; true if it was. */
  release(lease: ZoneLease): Promise<boolean>;
  /** The zone's live lease, or undefined when free. */
  owner(zoneId: string): Promise<ZoneLeaseState | undefined>;
}

/** Lease time to live as Redis takes it: a positive whole number of ms. */
export function leaseTtl(ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`lease ttlMs must be a positive number, got ${ttlMs}`);
  return Math.max(1, Math.round(ttlMs));
}
