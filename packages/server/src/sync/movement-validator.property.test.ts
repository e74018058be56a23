import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MovementValidator, type MovementVerdict } from './movement-validator.js';
import { createPlayerMoveState, type PlayerMoveState } from './player-move-state.js';

/**
 * Simulated clients on a simulated network. Real time `s` is the client's (true) time in ms;
 * each input is sampled and sent at `s`, reaches the server at `a = max(previous a, s + latency +
 * jitter)` (one TCP stream: in order, so a delay spike bunches the inputs behind it), and is
 * validated at `a` (or at the next 20 Hz tick after `a`). Positions cross the wire as float32.
 */

const MAX_SPEED = 7;
const SERVER_EPOCH_MS = 1_700_000_000_000;

/** mulberry32: a tiny deterministic PRNG, so a failing scenario replays from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Network {
  seed: number;
  /** Client input rate, Hz. */
  inputHz: number;
  /** Base one-way latency, ms. */
  latencyMs: number;
  /** 'uniform': every packet delayed U(0, 150) ms; 'spikes': small jitter plus stalls of up to 150 ms. */
  jitter: 'uniform' | 'spikes';
  /** Client clock = offset + real time * (1 + drift). */
  clockOffsetMs: number;
  clockDriftPpm: number;
  /** Client timestamps in whole ms. */
  roundClientTime: boolean;
  /** The zone validates inputs at its next 20 Hz tick rather than on arrival. */
  validateAtTick: boolean;
  /** Client frame-time irregularity, as a fraction of the input interval. */
  frameJitter: number;
}

const networkArb: fc.Arbitrary<Network> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  inputHz: fc.constantFrom(10, 20, 30, 60),
  latencyMs: fc.integer({ min: 5, max: 250 }),
  jitter: fc.constantFrom('uniform' as const, 'spikes' as const),
  clockOffsetMs: fc.integer({ min: -1e9, max: 1e9 }),
  clockDriftPpm: fc.integer({ min: -100, max: 100 }),
  roundClientTime: fc.boolean(),
  validateAtTick: fc.boolean(),
  frameJitter: fc.constantFrom(0, 0.1, 0.3),
});

interface Sent {
  s: number;
  clientTimeMs: number;
  x: number;
  y: number;
  z: number;
}

/** The network and server side of one player: feeds inputs through the validator, in arrival order. */
class Link {
  readonly validator = new MovementValidator();
  readonly state: PlayerMoveState;
  private readonly rand: () => number;
  private lastArrival = Number.NEGATIVE_INFINITY;
  private spikeUntil = Number.NEGATIVE_INFINITY;
  private tick = 1000;

  constructor(
    readonly net: Network,
    start: { x: number; y: number; z: number },
  ) {
    this.rand = prng(net.seed ^ 0x5eed);
    // The server spawned the player one latency before the client's time 0.
    this.state = createPlayerMoveState(start, SERVER_EPOCH_MS - net.latencyMs);
  }

  clientTime(s: number): number {
    const t = this.net.clockOffsetMs + s * (1 + this.net.clockDriftPpm * 1e-6);
    return this.net.roundClientTime ? Math.round(t) : t;
  }

  deliver(input: Sent): MovementVerdict {
    let jitterMs: number;
    if (this.net.jitter === 'uniform') {
      jitterMs = this.rand() * 150;
    } else {
      if (input.s >= this.spikeUntil && this.rand() < 0.03) this.spikeUntil = input.s + this.rand() * 150;
      jitterMs = Math.max(this.rand() * 20, this.spikeUntil - input.s);
    }
    const arrival = Math.max(this.lastArrival, input.s + this.net.latencyMs + jitterMs);
    this.lastArrival = arrival;
    const serverMs = this.net.validateAtTick ? Math.ceil(arrival / 50) * 50 : arrival;
    return this.validator.validate(
      this.state,
      {
        inputTick: ++this.tick,
        position: { x: Math.fround(input.x), y: Math.fround(input.y), z: Math.fround(input.z) },
        clientTimeMs: input.clientTimeMs,
      },
      SERVER_EPOCH_MS + serverMs,
    );
  }
}

/** An honest client: straight segments at up to MAX_SPEED (often exactly), turns, stops, climbs. */
class HonestWalker {
  s = 0;
  x: number;
  y: number;
  z: number;
  private vx = 0;
  private vy = 0;
  private vz = 0;
  private segmentLeft = 0;
  private readonly rand: () => number;

  constructor(
    private readonly link: Link,
    start: { x: number; y: number; z: number },
  ) {
    this.rand = prng(link.net.seed);
    this.x = start.x;
    this.y = start.y;
    this.z = start.z;
  }

  /** Samples, sends and validates the next input. */
  next(): MovementVerdict {
    const intervalMs = 1000 / this.link.net.inputHz;
    if (this.segmentLeft-- <= 0) this.turn();
    // The sample is taken at a frame time near the nominal one; positions follow the true time.
    const s = Math.max(this.s + 0.01, Math.ceil((this.s + 1e-9) / intervalMs) * intervalMs + this.rand() * this.link.net.frameJitter * intervalMs);
    const dt = (s - this.s) / 1000;
    this.s = s;
    this.x += this.vx * dt;
    this.y += this.vy * dt;
    this.z += this.vz * dt;
    return this.link.deliver({ s, clientTimeMs: this.link.clientTime(s), x: this.x, y: this.y, z: this.z });
  }

  private turn(): void {
    this.segmentLeft = Math.floor(this.rand() * 40);
    const r = this.rand();
    const speed = r < 0.1 ? 0 : r < 0.6 ? MAX_SPEED : this.rand() * MAX_SPEED;
    const yaw = this.rand() * 2 * Math.PI;
    const pitch = (this.rand() - 0.5) * 0.6; // mostly horizontal, some slopes
    this.vx = speed * Math.cos(pitch) * Math.cos(yaw);
    this.vy = speed * Math.sin(pitch);
    this.vz = speed * Math.cos(pitch) * Math.sin(yaw);
  }
}

function startFor(seed: number) {
  const rand = prng(seed ^ 0xabc);
  return { x: (rand() - 0.5) * 2000, y: (rand() - 0.5) * 200, z: (rand() - 0.5) * 2000 };
}

/** Runs an honest client for `inputs` inputs; returns the rejections. */
function honestRun(net: Network, inputs: number): MovementVerdict[] {
  const start = startFor(net.seed);
  const link = new Link(net, start);
  const walker = new HonestWalker(link, start);
  const rejections: MovementVerdict[] = [];
  for (let i = 0; i < inputs; i++) {
    const verdict = walker.next();
    if (!verdict.ok) rejections.push(verdict);
  }
  return rejections;
}

describe('MovementValidator against simulated clients', () => {
  it('honest clients with 0..150 ms of jitter and bunching: no false positive in >= 10^5 inputs', () => {
    // MMO_FP_RUNS raises the sample for a one-off measurement (e.g. MMO_FP_RUNS=20000).
    const measuring = process.env['MMO_FP_RUNS'] !== undefined;
    const runs = Number(process.env['MMO_FP_RUNS'] ?? 250);
    const inputsPerRun = 400;
    let total = 0;
    let falsePositives = 0;
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(networkArb, (net) => {
        const rejected = honestRun(net, inputsPerRun);
        total += inputsPerRun;
        falsePositives += rejected.length;
        for (const r of rejected) if (!r.ok) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
        if (!measuring) expect(rejected).toEqual([]);
      }),
      { numRuns: runs, seed: 20_240_605 },
    );
    expect(total).toBeGreaterThanOrEqual(100_000);
    if (measuring) console.log(`false positives: ${falsePositives} / ${total} inputs`, Object.fromEntries(reasons));
    expect(falsePositives).toBe(0);
  });

  it('every sustained speed hack of 1.3x..10x (honest timestamps) is rejected within 1 s, and gains nothing', () => {
    fc.assert(
      fc.property(networkArb, fc.double({ min: 1.3, max: 10, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), (net, factor, yaw) => {
        const start = startFor(net.seed);
        const link = new Link(net, start);
        const walker = new HonestWalker(link, start);
        while (walker.s < 2000) expect(walker.next().ok).toBe(true);
        const hackStart = walker.s;
        const from = { ...link.state.position };
        const intervalMs = 1000 / net.inputHz;
        const rejected: string[] = [];
        let x = walker.x;
        let z = walker.z;
        const clientAtHack = link.clientTime(hackStart);
        let clientSpanMs = 0;
        for (let s = hackStart + intervalMs; s <= hackStart + 1000; s += intervalMs) {
          clientSpanMs = link.clientTime(s) - clientAtHack;
          x += Math.cos(yaw) * factor * MAX_SPEED * (intervalMs / 1000);
          z += Math.sin(yaw) * factor * MAX_SPEED * (intervalMs / 1000);
          const verdict = link.deliver({ s, clientTimeMs: link.clientTime(s), x, y: walker.y, z });
          if (!verdict.ok) rejected.push(verdict.reason);
        }
        expect(rejected.length).toBeGreaterThan(0);
        expect(rejected.every((r) => r === 'speed' || r === 'teleport')).toBe(true);
        // Net progress on the server is held to the tolerated speed plus the banked slack.
        const p = link.state.position;
        const moved = Math.hypot(p.x - from.x, p.y - from.y, p.z - from.z);
        // (float32 positions far from the origin add up to ~1e-4 of rounding per step).
        expect(moved).toBeLessThanOrEqual((MAX_SPEED * 1.15 * (clientSpanMs + 50)) / 1000 + 1e-2);
      }),
      { numRuns: 300 },
    );
  });

  // A client whose whole clock runs fast is told apart from jitter only once its clock has gained
  // more than maxBurstMs (250) plus the worst arrival noise (150 ms jitter + 50 ms tick batching):
  // within 1 s from 1.5x up, within 0.45 s / (k - 1.01) below (1.55 s at 1.3x). No validator that
  // lets 200 ms of jitter through can do much better: at 1.3x the clock gains only 300 ms a second.
  it('every clock speed hack of 1.3x..10x (the whole client runs fast) is rejected: within 1 s from 1.5x', () => {
    fc.assert(
      fc.property(networkArb, fc.double({ min: 1.3, max: 10, noNaN: true }), fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), (net, factor, yaw) => {
        const start = startFor(net.seed);
        const link = new Link(net, start);
        const walker = new HonestWalker(link, start);
        while (walker.s < 2000) expect(walker.next().ok).toBe(true);
        const hackStart = walker.s;
        const clientAtHack = link.clientTime(hackStart);
        const intervalMs = 1000 / net.inputHz;
        const rejected: string[] = [];
        let x = walker.x;
        let z = walker.z;
        // The game loop runs `factor` times too fast: real inputs every interval / factor, each
        // stamped one interval later on the (hacked) client clock and moving at MAX_SPEED in it.
        const sustainMs = factor >= 1.5 ? 1000 : 450 / (factor - 1.01) + 2 * intervalMs;
        for (let k = 1; (k * intervalMs) / factor <= sustainMs; k++) {
          x += Math.cos(yaw) * MAX_SPEED * (intervalMs / 1000);
          z += Math.sin(yaw) * MAX_SPEED * (intervalMs / 1000);
          const s = hackStart + (k * intervalMs) / factor;
          const verdict = link.deliver({ s, clientTimeMs: clientAtHack + k * intervalMs, x, y: walker.y, z });
          if (!verdict.ok) rejected.push(verdict.reason);
        }
        expect(rejected.length).toBeGreaterThan(0);
        // 'time' or 'rate' first; the inputs after a rejected one cover more ground than their own
        // interval credits, so 'speed' and 'teleport' follow.
        expect(rejected.filter((r) => r === 'stale' || r === 'bounds')).toEqual([]);
        expect(rejected.some((r) => r === 'time' || r === 'rate')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('every teleport (a step longer than maxStepDistance) is rejected and the player stays put', () => {
    fc.assert(
      fc.property(
        networkArb,
        fc.double({ min: 1.0001, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        (net, scale, yaw, honestInputs) => {
          const start = startFor(net.seed);
          const link = new Link(net, start);
          const walker = new HonestWalker(link, start);
          for (let i = 0; i < honestInputs; i++) expect(walker.next().ok).toBe(true);
          const before = { ...link.state.position };
          const jump = link.validator.maxStepDistance * scale;
          const s = walker.s + 1000 / net.inputHz;
          const verdict = link.deliver({
            s,
            clientTimeMs: link.clientTime(s),
            x: before.x + Math.cos(yaw) * jump,
            y: before.y,
            z: before.z + Math.sin(yaw) * jump,
          });
          expect(verdict).toEqual({ ok: false, reason: 'teleport', corrected: before });
          expect(link.state.position).toEqual(before);
        },
      ),
      { numRuns: 500 },
    );
  });
});
