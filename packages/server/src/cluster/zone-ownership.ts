import { EventEmitter } from 'node:events';
import { type Clock, type TimerHandle, systemClock } from '@mmo/protocol';
import { ConfigError } from '../config/config-error.js';
import { type ClusterLogger, errorMessage, silentClusterLogger } from './cluster-logger.js';
import type { ZoneLease, ZoneLeases } from './zone-leases.js';

/**
 * Why a zone stopped being ours: `taken` the store says the lease is no longer ours (someone else
 * took it, or it expired there); `expired` no renew succeeded before the lease's time ran out
 * (store unreachable); `released` we gave it up (stop, or removed from the zone list); `stopped`
 * stop without release (the lease runs out by itself).
 */
export type ZoneLossReason = 'taken' | 'expired' | 'released' | 'stopped';

/** Events of {@link ZoneOwnership}. */
export interface ZoneOwnershipEvents {
  /** This node now simulates the zone; stamp the zone's writes with `token`. */
  acquired: [zoneId: string, token: number];
  /** This node must stop simulating the zone now. */
  lost: [zoneId: string, reason: ZoneLossReason];
}

/** Options of {@link ZoneOwnership}. */
export interface ZoneOwnershipOptions {
  leases: ZoneLeases;
  /** This node's id (unique per process). */
  nodeId: string;
  /** Zones this node may simulate: each free one is taken, each held one renewed. */
  zones: readonly string[];
  /** @default systemClock */
  clock?: Clock;
  /**
   * Lease time to live: how long a dead node's zones stay unsimulated before another node takes over.
   * @default 10_000
   */
  leaseTtlMs?: number;
  /**
   * Time between rounds (renew held zones, try to take free ones). Must be below `leaseTtlMs`.
   * @default 3000
   */
  renewIntervalMs?: number;
  /** @default silent */
  logger?: ClusterLogger;
}

/** Defaults of {@link ZoneOwnershipOptions}. */
export const zoneOwnershipDefaults = Object.freeze({
  leaseTtlMs: 10_000,
  // A third of the TTL: two renews may fail before the lease is lost.
  renewIntervalMs: 3000,
});

interface Held {
  readonly lease: ZoneLease;
  timer: TimerHandle | undefined;
}

/**
 * Keeps this node's zones: every round (on the injected clock, never two at once) it renews the
 * zones it holds and tries to take each configured zone whose lease is free (a dead node's zone is
 * taken over once its lease expired). Emits `acquired` and `lost`. A held zone is also dropped as
 * `expired` on a local timer when no renew succeeded within the TTL, so a node cut off from Redis
 * stops simulating before another node can take the zone over.
 * @example
 * const own = new ZoneOwnership({ leases, nodeId, zones: ['forest', 'desert'], logger });
 * own.on('acquired', (zone, token) => startSimulating(zone, token));
 * own.on('lost', (zone) => stopSimulating(zone));
 * own.start();
 */
export class ZoneOwnership extends EventEmitter<ZoneOwnershipEvents> {
  readonly nodeId: string;
  private readonly leases: ZoneLeases;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly intervalMs: number;
  private readonly logger: ClusterLogger;
  private zones: string[];
  private readonly held = new Map<string, Held>();
  private running = false;
  private stopped = false;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> | undefined;
  private failing = false;

  constructor(options: ZoneOwnershipOptions) {
    super();
    this.leases = options.leases;
    this.nodeId = options.nodeId;
    this.zones = [...new Set(options.zones)];
    this.clock = options.clock ?? systemClock;
    this.ttlMs = options.leaseTtlMs ?? zoneOwnershipDefaults.leaseTtlMs;
    this.intervalMs = options.renewIntervalMs ?? zoneOwnershipDefaults.renewIntervalMs;
    this.logger = options.logger ?? silentClusterLogger;
    if (!(this.ttlMs > 0)) throw new ConfigError('leaseTtlMs', 'must be > 0');
    if (!(this.intervalMs > 0 && this.intervalMs < this.ttlMs)) {
      throw new ConfigError('renewIntervalMs', `must be > 0 and below leaseTtlMs (${this.ttlMs})`);
    }
  }

  /** Runs a round now, then one every `renewIntervalMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.loop();
  }

  /** Zones held now, with their leases. */
  owned(): ZoneLease[] {
    return [...this.held.values()].map((h) => h.lease);
  }

  /** True while this node holds the zone. */
  isOwner(zoneId: string): boolean {
    return this.held.has(zoneId);
  }

  /** Fencing token of a held zone. */
  tokenOf(zoneId: string): number | undefined {
    return this.held.get(zoneId)?.lease.token;
  }

  /** The configured zone list. */
  configuredZones(): readonly string[] {
    return this.zones;
  }

  /** Replaces the zone list; zones no longer in it are released (`lost` with `released`). */
  async setZones(zones: readonly string[]): Promise<void> {
    this.zones = [...new Set(zones)];
    const keep = new Set(this.zones);
    await Promise.all([...this.held.keys()].filter((z) => !keep.has(z)).map((z) => this.releaseZone(z)));
  }

  /** One round now (or the one in progress); resolves when it settled, never rejects. Used by the timer and by tests. */
  round(): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    this.inFlight = Promise.all(this.zones.map((z) => this.step(z))).then(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Stops the rounds. By default releases every held zone so another node takes it at its next
   * round (graceful drain); `{ release: false }` leaves the leases to expire.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    // A round in flight is not awaited (its reply may never come while Redis is down); what it
    // acquires after this point is released at once (see step).
    const release = options.release ?? true;
    await Promise.all(
      [...this.held.keys()].map((z) => (release ? this.releaseZone(z) : Promise.resolve(this.drop(z, 'stopped')))),
    );
  }

  private loop(): void {
    if (!this.running) return;
    void this.round().then(() => {
      if (this.running) this.timer = this.clock.setTimeout(() => this.loop(), this.intervalMs);
    });
  }

  private async step(zoneId: string): Promise<void> {
    const startedAt = this.clock.now();
    const held = this.held.get(zoneId);
    try {
      if (held !== undefined) {
        const ok = await this.leases.renew(held.lease, this.ttlMs);
        this.recovered();
        if (this.held.get(zoneId) !== held) return; // dropped meanwhile
        if (ok) this.arm(zoneId, held, startedAt);
        else this.drop(zoneId, 'taken');
        return;
      }
      const lease = await this.leases.acquire(zoneId, this.nodeId, this.ttlMs);
      this.recovered();
      if (lease === undefined || this.held.has(zoneId)) return;
      if (this.stopped) {
        await this.leases.release(lease).catch(() => {});
        return;
      }
      // A reply slower than the TTL proves nothing; the next round re-acquires (same token).
      if (startedAt + this.ttlMs <= this.clock.now()) return;
      const entry: Held = { lease, timer: undefined };
      this.held.set(zoneId, entry);
      this.arm(zoneId, entry, startedAt);
      this.logger.info({ zoneId, nodeId: this.nodeId, token: lease.token }, 'zone acquired');
      this.emit('acquired', zoneId, lease.token);
    } catch (error) {
      // The lease timer drops a held zone when its time runs out; nothing else to do until the next round.
      if (!this.failing) {
        this.logger.warn({ zoneId, nodeId: this.nodeId, err: errorMessage(error) }, 'zone lease store unreachable; retrying every round');
      }
      this.failing = true;
    }
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.info({ nodeId: this.nodeId }, 'zone lease store reachable again');
  }

  /** Expects the lease to hold until `startedAt + ttl` (the store counted from later than that). */
  private arm(zoneId: string, held: Held, startedAt: number): void {
    if (held.timer !== undefined) this.clock.clearTimeout(held.timer);
    const remaining = startedAt + this.ttlMs - this.clock.now();
    if (remaining <= 0) {
      this.drop(zoneId, 'expired');
      return;
    }
    held.timer = this.clock.setTimeout(() => {
      if (this.held.get(zoneId) === held) this.drop(zoneId, 'expired');
    }, remaining);
  }

  private drop(zoneId: string, reason: ZoneLossReason): void {
    const held = this.held.get(zoneId);
    if (held === undefined) return;
    if (held.timer !== undefined) this.clock.clearTimeout(held.timer);
    this.held.delete(zoneId);
    const log = reason === 'released' || reason === 'stopped' ? 'info' : 'warn';
    this.logger[log]({ zoneId, nodeId: this.nodeId, token: held.lease.token, reason }, 'zone lost');
    this.emit('lost', zoneId, reason);
  }

  private async releaseZone(zoneId: string): Promise<void> {
    const held = this.held.get(zoneId);
    if (held === undefined) return;
    // Stop simulating first, then give the lease up: never two simulators at once.
    this.drop(zoneId, 'released');
    await this.leases.release(held.lease).catch((error: unknown) => {
      this.logger.warn({ zoneId, err: errorMessage(error) }, 'zone release failed; the lease expires by itself');
    });
  }
}
