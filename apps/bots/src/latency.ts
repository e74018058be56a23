/**
 * Input -> observer latency across the bots of one process: how long after bot A sends a movement
 * input that puts it at P another bot B's world model shows A at P (or past it).
 *
 * Observers cannot see A's input ticks (deltas carry entity states, not inputs), but every bot
 * lives in this process, so they share this tracker. A records each input it sends (position and
 * send time) in a ring keyed by its entity id. B, on every `entityUpdated` of A, looks for the
 * oldest input after the last one it matched whose position is within `matchDistance` of what it
 * now shows. On a match, each input from that one's predecessor onwards has now been seen (A is
 * at it, or past it) and yields one sample: now - its send time. A walking bot moves
 * speed / inputRate per input (0.25 units at 5 units/s and 20 Hz), well above the 0.05 match
 * distance and the 0.01 quantization, so one position names one input.
 *
 * Resolution: a sample includes the wait for the server's next tick (0..1 tick), the tick, the
 * network both ways and the event loop of this process; it is only taken when B's WORLD_DELTA
 * arrives, so it is quantized to B's ticks. Timing uses `performance.now()` (sub-ms, monotonic,
 * one clock for sender and observer). Inputs older than the ring (`ringInputs` inputs) are
 * forgotten, which caps what can be measured at ringInputs / inputRate seconds.
 */
import type { Vector3Like } from '@mmo/protocol';
import { LatencyHistogram } from './histogram.js';

/** Options of {@link createLatencyTracker}. */
export interface LatencyTrackerOptions {
  /**
   * Inputs remembered per bot. 128 inputs at 20 Hz is 6.4 s: the longest latency measured.
   * @default 128
   */
  ringInputs?: number;
  /**
   * Largest distance, in world units, between a shown and a sent position that still matches.
   * @default 0.05 (5 quantization steps of 0.01; a fifth of one 0.25-unit step)
   */
  matchDistance?: number;
  /** Monotonic time in ms. @default performance.now */
  now?: () => number;
}

/** Defaults of {@link LatencyTrackerOptions}. */
export const latencyTrackerDefaults = {
  ringInputs: 128,
  matchDistance: 0.05,
} as const;

/** A ring of sent inputs of one entity: parallel typed arrays, no allocation per input. */
class InputRing {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly sentAt: Float64Array;
  /** Sequence number of the next input; input `s` lives at slot `s % size`. */
  next = 1;

  constructor(readonly size: number) {
    this.x = new Float64Array(size);
    this.y = new Float64Array(size);
    this.z = new Float64Array(size);
    this.sentAt = new Float64Array(size);
  }

  push(p: Readonly<Vector3Like>, sentAt: number): void {
    const slot = this.next % this.size;
    this.x[slot] = p.x;
    this.y[slot] = p.y;
    this.z[slot] = p.z;
    this.sentAt[slot] = sentAt;
    this.next++;
  }

  /** Oldest sequence number still held. */
  get oldest(): number {
    return Math.max(1, this.next - this.size);
  }
}

/** Per-observer memory: the last input matched of each entity it sees. */
export interface LatencyObserver {
  /**
   * The observer's world shows `entityId` at `position` now: records a sample for each input of
   * that entity seen for the first time. Returns the number of samples.
   */
  observe(entityId: number, position: Readonly<Vector3Like>): number;
  /** The entity left this observer's view: its next sighting starts over without samples. */
  forget(entityId: number): void;
  /** Forgets every entity (a reset of the view). */
  forgetAll(): void;
}

/** The shared tracker. */
export interface LatencyTracker {
  /** Bot `entityId` sent an input that puts it at `position` (now). */
  sent(entityId: number, position: Readonly<Vector3Like>): void;
  /** Drops an entity's inputs (the bot left, or got a new entity). */
  drop(entityId: number): void;
  /** A fresh observer (one per bot). */
  observer(): LatencyObserver;
  /** Every sample so far. */
  readonly total: LatencyHistogram;
  /** Samples since the last `interval.clear()` (the progress line's window). */
  readonly interval: LatencyHistogram;
}

/**
 * Creates the tracker shared by every bot of a swarm.
 * @example
 * const tracker = createLatencyTracker();
 * tracker.sent(aliceEntityId, predictedPosition);         // in alice's send loop
 * const eye = tracker.observer();                          // per bot
 * world.on('entityUpdated', ({ entity }) => eye.observe(entity.entityId, entity.motion.position));
 * tracker.total.summary();                                 // { samples, p50, p95, p99, ... }
 */
export function createLatencyTracker(options: LatencyTrackerOptions = {}): LatencyTracker {
  const ringInputs = options.ringInputs ?? latencyTrackerDefaults.ringInputs;
  const matchDistance = options.matchDistance ?? latencyTrackerDefaults.matchDistance;
  if (!Number.isInteger(ringInputs) || ringInputs < 2) throw new RangeError('ringInputs must be an integer >= 2');
  if (!(matchDistance > 0)) throw new RangeError('matchDistance must be > 0');
  const now = options.now ?? (() => performance.now());
  const match2 = matchDistance * matchDistance;
  const rings = new Map<number, InputRing>();
  const total = new LatencyHistogram();
  const interval = new LatencyHistogram();

  const record = (ms: number) => {
    total.record(ms);
    interval.record(ms);
  };

  return {
    total,
    interval,
    sent(entityId, position) {
      let ring = rings.get(entityId);
      if (ring === undefined) rings.set(entityId, (ring = new InputRing(ringInputs)));
      ring.push(position, now());
    },
    drop(entityId) {
      rings.delete(entityId);
    },
    observer() {
      // Last sequence matched per entity; absent: not yet seen since it entered view.
      const cursors = new Map<number, number>();
      return {
        observe(entityId, p) {
          const ring = rings.get(entityId);
          if (ring === undefined) return 0;
          const cursor = cursors.get(entityId);
          const from = cursor === undefined ? ring.oldest : Math.max(cursor + 1, ring.oldest);
          for (let s = from; s < ring.next; s++) {
            const slot = s % ring.size;
            const dx = ring.x[slot]! - p.x;
            const dy = ring.y[slot]! - p.y;
            const dz = ring.z[slot]! - p.z;
            if (dx * dx + dy * dy + dz * dz > match2) continue;
            cursors.set(entityId, s);
            // First sighting since entering view: the inputs before were never in view, no samples.
            if (cursor === undefined) return 0;
            const t = now();
            for (let k = from; k <= s; k++) record(t - ring.sentAt[k % ring.size]!);
            return s - from + 1;
          }
          return 0;
        },
        forget(entityId) {
          cursors.delete(entityId);
        },
        forgetAll() {
          cursors.clear();
        },
      };
    },
  };
}
