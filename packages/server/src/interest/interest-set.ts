import { MmoError, type Vector3Like } from '@mmo/protocol';
import type { SpatialVisitor } from './spatial-grid.js';

/** Settings of an {@link InterestSet}; see {@link interestSetDefaults}. */
export interface InterestSetOptions {
  /**
   * An entity enters the set when it comes within this distance of the observer, in world units.
   * @default 100
   */
  enterRadius?: number;
  /**
   * A member leaves only when it is beyond this distance, in world units; the gap to
   * `enterRadius` is the hysteresis band that keeps an entity on the edge from flickering.
   * Must be >= `enterRadius`.
   * @default enterRadius * 1.15
   */
  exitRadius?: number;
  /**
   * Most entities in the set; in a crowd the nearest are kept (members hold their place against a
   * newcomer unless it is nearer by the hysteresis ratio, so the cap does not flicker either).
   * @default 256
   */
  maxEntities?: number;
}

/** Defaults of {@link InterestSetOptions} (`exitRadius` defaults to `enterRadius * exitRadiusFactor`). */
export const interestSetDefaults: Readonly<{ enterRadius: number; exitRadiusFactor: number; maxEntities: number }> =
  Object.freeze({
    // 100 units: about 14 s of walking at the validator's default 7 units/s.
    enterRadius: 100,
    // 15 %: wider than one tick's movement of both parties, narrow enough not to waste bandwidth.
    exitRadiusFactor: 1.15,
    // 256: bounds a client's per-tick work and bytes in a crowd (issue 5: ~50 visible is typical).
    maxEntities: 256,
  });

/** What {@link InterestSet.update} reads candidates from; {@link SpatialGrid} is one. */
export interface InterestSource<Id> {
  /** Calls `visit(id, distanceSq)` for each entity within `radius` of the point. */
  forEachInRadius(x: number, y: number, z: number, radius: number, visit: SpatialVisitor<Id>): void;
}

/** The change of an interest set in one {@link InterestSet.update}. */
export interface InterestDiff<Id> {
  /** Ids that came into view, nearest first: send each a full snapshot. */
  entered: Id[];
  /** Ids that left view (out of range, despawned, or displaced by the cap). */
  exited: Id[];
}

interface Member {
  distanceSq: number;
  /** The update that last saw this member within the exit radius. */
  seen: number;
}

interface Ranked<Id> {
  id: Id;
  distanceSq: number;
  /** Distance used for the cap: members' is shrunk by the hysteresis ratio. */
  rank: number;
  member: boolean;
}

/**
 * What one observer can see: entities enter within `enterRadius`, leave beyond `exitRadius`, and
 * at most `maxEntities` of them, nearest first. Update it once per tick from the zone's grid and
 * send the diff (InterestUpdate, snapshots of the entered ones).
 * @example
 * const interest = new InterestSet<number>({ enterRadius: 80 });
 * const { entered, exited } = interest.update(grid, player.position, player.id);
 */
export class InterestSet<Id> {
  private enterRadiusValue: number;
  private exitRadiusValue: number;
  private maxEntitiesValue: number;
  private readonly membersById = new Map<Id, Member>();
  private generation = 0;

  constructor(options?: InterestSetOptions) {
    const enter = options?.enterRadius ?? interestSetDefaults.enterRadius;
    const resolved = resolveRadii(enter, options?.exitRadius);
    this.enterRadiusValue = resolved.enterRadius;
    this.exitRadiusValue = resolved.exitRadius;
    this.maxEntitiesValue = options?.maxEntities ?? interestSetDefaults.maxEntities;
    if (!Number.isSafeInteger(this.maxEntitiesValue) || this.maxEntitiesValue < 1) {
      throw new MmoError('INVALID_OPTIONS', `InterestSet: maxEntities must be a positive integer, got ${this.maxEntitiesValue}`);
    }
  }

  /** Current enter radius, in world units. */
  get enterRadius(): number {
    return this.enterRadiusValue;
  }

  /** Current exit radius, in world units. */
  get exitRadius(): number {
    return this.exitRadiusValue;
  }

  /** Most entities the set holds. */
  get maxEntities(): number {
    return this.maxEntitiesValue;
  }

  /** Number of members. */
  get size(): number {
    return this.membersById.size;
  }

  /**
   * Changes the radii (e.g. from the game's interest-radius hook); takes effect at the next
   * {@link update}. `exitRadius` defaults to `enterRadius * 1.15`.
   */
  setRadius(enterRadius: number, exitRadius?: number): void {
    const resolved = resolveRadii(enterRadius, exitRadius);
    this.enterRadiusValue = resolved.enterRadius;
    this.exitRadiusValue = resolved.exitRadius;
  }

  /** True if `id` is in view. */
  has(id: Id): boolean {
    return this.membersById.has(id);
  }

  /** The members, in no particular order. */
  members(): IterableIterator<Id> {
    return this.membersById.keys();
  }

  /** Squared distance of a member at the last update (for prioritising), or undefined. */
  distanceSq(id: Id): number | undefined {
    return this.membersById.get(id)?.distanceSq;
  }

  /** Drops a member at once (e.g. it despawned mid-tick); false if it was not one. */
  remove(id: Id): boolean {
    return this.membersById.delete(id);
  }

  /** Empties the set and returns the former members (to send their exits). */
  clear(): Id[] {
    const former = [...this.membersById.keys()];
    this.membersById.clear();
    return former;
  }

  /**
   * Recomputes the set from `source` around `observer`, ignoring `selfId`, and returns what
   * changed. Ids no longer in the source (despawned) exit.
   */
  update(source: InterestSource<Id>, observer: Readonly<Vector3Like>, selfId?: Id): InterestDiff<Id> {
    const generation = ++this.generation;
    const enterSq = this.enterRadiusValue * this.enterRadiusValue;
    const members = this.membersById;
    let candidates: Ranked<Id>[] | undefined;
    let kept = 0;
    source.forEachInRadius(observer.x, observer.y, observer.z, this.exitRadiusValue, (id, distanceSq) => {
      if (id === selfId) return;
      const member = members.get(id);
      if (member !== undefined) {
        member.distanceSq = distanceSq;
        member.seen = generation;
        kept++;
      } else if (distanceSq <= enterSq) {
        (candidates ??= []).push({ id, distanceSq, rank: distanceSq, member: false });
      }
    });

    const exited: Id[] = [];
    for (const [id, member] of members) {
      if (member.seen !== generation) {
        members.delete(id);
        exited.push(id);
      }
    }
    const entered: Id[] = [];
    const newcomers = candidates ?? [];
    if (kept + newcomers.length <= this.maxEntitiesValue) {
      newcomers.sort(byRank);
      for (const c of newcomers) {
        members.set(c.id, { distanceSq: c.distanceSq, seen: generation });
        entered.push(c.id);
      }
    } else {
      this.applyCap(newcomers, generation, entered, exited);
    }
    return { entered, exited };
  }

  /** Keeps the `maxEntities` best-ranked of members and newcomers; members rank nearer by the hysteresis ratio. */
  private applyCap(newcomers: Ranked<Id>[], generation: number, entered: Id[], exited: Id[]): void {
    const ratio = this.exitRadiusValue === 0 ? 1 : this.enterRadiusValue / this.exitRadiusValue;
    const memberScale = ratio * ratio;
    const ranked = newcomers;
    for (const [id, member] of this.membersById) {
      ranked.push({ id, distanceSq: member.distanceSq, rank: member.distanceSq * memberScale, member: true });
    }
    ranked.sort(byRank);
    for (let i = 0; i < ranked.length; i++) {
      const c = ranked[i] as Ranked<Id>;
      if (i < this.maxEntitiesValue) {
        if (!c.member) {
          this.membersById.set(c.id, { distanceSq: c.distanceSq, seen: generation });
          entered.push(c.id);
        }
      } else if (c.member) {
        this.membersById.delete(c.id);
        exited.push(c.id);
      }
    }
  }
}

function byRank<Id>(a: Ranked<Id>, b: Ranked<Id>): number {
  return a.rank - b.rank;
}

function resolveRadii(enterRadius: number, exitRadius: number | undefined): { enterRadius: number; exitRadius: number } {
  if (!Number.isFinite(enterRadius) || enterRadius < 0) {
    throw new MmoError('INVALID_OPTIONS', `InterestSet: enterRadius must be a non-negative finite number, got ${enterRadius}`);
  }
  const exit = exitRadius ?? enterRadius * interestSetDefaults.exitRadiusFactor;
  if (!Number.isFinite(exit) || exit < enterRadius) {
    throw new MmoError('INVALID_OPTIONS', `InterestSet: exitRadius must be finite and >= enterRadius (${enterRadius}), got ${exit}`);
  }
  return { enterRadius, exitRadius: exit };
}
