import type { Redis } from 'ioredis';
import type { QuaternionLike, Vector3Like } from '@mmo/protocol';
import type { Zone } from '../sync/zone.js';

/** Where a player stood in a zone: its last authoritative position and rotation. */
export interface ZonePlacement {
  position: Vector3Like;
  rotation: QuaternionLike;
}

/**
 * Players' last placements per zone, written by the zone's owner and read by the node that takes
 * the zone over, so players keep their place across a takeover (see README: "Zones across nodes").
 */
export interface ZonePlacementStore {
  /** Every stored placement of the zone, by session id (empty when none). */
  load(zoneId: string): Promise<Map<string, ZonePlacement>>;
  /** Replaces the zone's placements with `placements` (one write). */
  save(zoneId: string, placements: ReadonlyMap<string, ZonePlacement>): Promise<void>;
}

/** Options of {@link RedisZonePlacements}. */
export interface RedisZonePlacementsOptions {
  /**
   * Key prefix, so several games or environments can share one Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
  /**
   * Lifetime of a zone's record after its last write, in ms: it must outlive a takeover.
   * @default 30000
   */
  ttlMs?: number;
}

/** Defaults of {@link RedisZonePlacementsOptions}. */
export const redisZonePlacementsDefaults = Object.freeze({
  keyPrefix: 'mmo:',
  // Three default lease TTLs (10 s): a zone is taken over after one.
  ttlMs: 30_000,
});

/** Stored numbers keep a millimetre (positions) and 1e-4 (rotations): the wire quantizes coarser. */
const round = (v: number, scale: number) => Math.round(v * scale) / scale;
const isFiniteArray = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every((n) => typeof n === 'number' && Number.isFinite(n));

/**
 * Placements in one Redis string per zone, `<prefix>zone:<zoneId>:placements`: a JSON object
 * `{ <sessionId>: [x, y, z, rx, ry, rz, rw] }` rewritten whole (SET ... PX) at every save.
 */
export class RedisZonePlacements implements ZonePlacementStore {
  private readonly keyPrefix: string;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    options: RedisZonePlacementsOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? redisZonePlacementsDefaults.keyPrefix;
    this.ttlMs = options.ttlMs ?? redisZonePlacementsDefaults.ttlMs;
  }

  key(zoneId: string): string {
    return `${this.keyPrefix}zone:${zoneId}:placements`;
  }

  async load(zoneId: string): Promise<Map<string, ZonePlacement>> {
    const out = new Map<string, ZonePlacement>();
    const raw = await this.redis.get(this.key(zoneId));
    if (raw === null) return out;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return out;
    }
    if (typeof parsed !== 'object' || parsed === null) return out;
    for (const [sessionId, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!isFiniteArray(v, 7)) continue;
      out.set(sessionId, { position: { x: v[0]!, y: v[1]!, z: v[2]! }, rotation: { x: v[3]!, y: v[4]!, z: v[5]!, w: v[6]! } });
    }
    return out;
  }

  async save(zoneId: string, placements: ReadonlyMap<string, ZonePlacement>): Promise<void> {
    const record: Record<string, number[]> = {};
    for (const [sessionId, { position: p, rotation: r }] of placements) {
      record[sessionId] = [round(p.x, 1e3), round(p.y, 1e3), round(p.z, 1e3), round(r.x, 1e4), round(r.y, 1e4), round(r.z, 1e4), round(r.w, 1e4)];
    }
    await this.redis.set(this.key(zoneId), JSON.stringify(record), 'PX', this.ttlMs);
  }
}

/**
 * The placements of one hosted zone: loads the previous owner's record once, places each player
 * the zone creates at its stored spot (those created before the load finished are placed when it
 * does), and collects what to save. Stored players that have not come back yet (a dead node's
 * clients resuming elsewhere) are kept in the saved record for `keepUnclaimedMs` after the start.
 */
export class HostedZonePlacements {
  private loaded = false;
  private stored = new Map<string, ZonePlacement>();
  /** Players created before the record was loaded. */
  private readonly unplaced = new Set<string>();
  private readonly keepUntilMs: number;

  constructor(
    private readonly zone: Zone,
    nowMs: number,
    keepUnclaimedMs: number,
  ) {
    this.keepUntilMs = nowMs + keepUnclaimedMs;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** The previous record arrived (or could not be read: `stored` empty). */
  loadedWith(stored: Map<string, ZonePlacement>): void {
    this.loaded = true;
    this.stored = stored;
    for (const sessionId of this.unplaced) this.place(sessionId);
    this.unplaced.clear();
  }

  /** The zone created a player's entity: put it where it stood, if known. */
  created(sessionId: string): void {
    if (this.loaded) this.place(sessionId);
    else this.unplaced.add(sessionId);
  }

  /** The player left the zone: it is no longer carried. */
  left(sessionId: string): void {
    this.stored.delete(sessionId);
    this.unplaced.delete(sessionId);
  }

  /** What to save now: every player of the zone, and stored ones not back yet within the keep window. */
  snapshot(sessions: Iterable<string>, nowMs: number): Map<string, ZonePlacement> {
    const out = new Map<string, ZonePlacement>();
    if (nowMs < this.keepUntilMs) for (const [sessionId, p] of this.stored) out.set(sessionId, p);
    else this.stored.clear();
    for (const sessionId of sessions) {
      const entity = this.zone.playerOfSession(sessionId);
      if (entity !== undefined) out.set(sessionId, { position: entity.motion.position, rotation: entity.motion.rotation });
    }
    return out;
  }

  private place(sessionId: string): void {
    const placement = this.stored.get(sessionId);
    const entity = this.zone.playerOfSession(sessionId);
    if (placement === undefined || entity === undefined) return;
    this.stored.delete(sessionId);
    // moveEntity also relocates the movement validator's state, so the next input is measured from here.
    this.zone.moveEntity(entity, { position: placement.position, rotation: placement.rotation });
  }
}
