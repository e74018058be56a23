import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors.js';
import { BitReader } from '../quantize/bit-reader.js';
import { BitWriter } from '../quantize/bit-writer.js';
import { createEntityStateCodec, ENTITY_STATE_FIELD_ORDER, ENTITY_STATE_FIELDS, type EntityMotion, type QuantizedEntityState } from './entity-state-codec.js';

const codec = createEntityStateCodec();
const TICK_MS = 50;

function yaw(angle: number) {
  return { x: 0, y: Math.sin(angle / 2), z: 0, w: Math.cos(angle / 2) };
}

/** A walker that turns now and then, as a server tick loop would move it. */
function* walk(seed: number, ticks: number): Generator<EntityMotion> {
  let rnd = seed;
  const next = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let heading = next() * Math.PI * 2;
  let turnRate = 0;
  const position = { x: (next() - 0.5) * 2000, y: 10, z: (next() - 0.5) * 2000 };
  const speed = 5;
  for (let t = 0; t < ticks; t++) {
    if (next() < 0.05) turnRate = (next() - 0.5) * 4; // rad/s
    if (next() < 0.05) turnRate = 0;
    heading += (turnRate * TICK_MS) / 1000;
    const velocity = { x: Math.cos(heading) * speed, y: 0, z: Math.sin(heading) * speed };
    position.x += (velocity.x * TICK_MS) / 1000;
    position.z += (velocity.z * TICK_MS) / 1000;
    yield { position: { ...position }, rotation: yaw(heading), velocity, flags: next() < 0.01 ? 1 : 0 };
  }
}

function roundTrip(q: QuantizedEntityState, base: QuantizedEntityState | undefined, elapsedMs: number) {
  const w = new BitWriter();
  const written = codec.writeUpdate(w, q, base, elapsedMs);
  const bits = w.bitLength;
  if (!written) return { decoded: codec.predict(base!, elapsedMs), bits: 0 };
  const r = new BitReader(w.finish());
  const decoded = codec.readUpdate(r, base, elapsedMs);
  expect(r.bitPosition).toBe(bits);
  return { decoded, bits };
}

describe('entity state codec', () => {
  it('a full record is 128 bits with the defaults and decodes to the same integers', () => {
    expect(codec.fullRecordBits).toBe(128);
    const q = codec.quantize({ position: { x: 12.5, y: 1, z: -300 }, rotation: yaw(1), velocity: { x: 3, y: 0, z: -1 }, flags: 7 });
    const { decoded, bits } = roundTrip(q, undefined, 0);
    expect(bits).toBe(128);
    expect(codec.equals(decoded, q)).toBe(true);
  });

  it('writes nothing when the state equals the prediction (resting, or moving at constant velocity)', () => {
    const resting = codec.quantize({ position: { x: 1, y: 2, z: 3 }, rotation: yaw(0), velocity: { x: 0, y: 0, z: 0 }, flags: 0 });
    expect(codec.writeUpdate(new BitWriter(), resting, resting, TICK_MS)).toBe(false);
    // Zero velocity has no exact level; the prediction must still not drift, however long it rests.
    expect(codec.predict(resting, 3_600_000)).toBe(resting);
    const moving = codec.quantize({ position: { x: 0, y: 0, z: 0 }, rotation: yaw(0), velocity: { x: 4, y: 0, z: 0 }, flags: 0 });
    expect(codec.writeUpdate(new BitWriter(), codec.predict(moving, 200), moving, 200)).toBe(false);
  });

  it('delta + apply reproduces the sender state exactly over thousands of ticks, with baselines of any age', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 50, maxLength: 50 }), (seed, gaps) => {
        // The receiver gets an update every gaps[i] ticks (budget or backpressure skipped the rest).
        let base: QuantizedEntityState | undefined;
        let baseTick = 0;
        let gapIndex = 0;
        let nextSend = 0;
        let tick = 0;
        for (const motion of walk(seed, 400)) {
          tick++;
          const q = codec.quantize(motion);
          if (tick < nextSend) continue;
          nextSend = tick + gaps[gapIndex++ % gaps.length]!;
          const { decoded } = roundTrip(q, base, (tick - baseTick) * TICK_MS);
          if (!codec.equals(decoded, q)) return false;
          const world = codec.dequantize(decoded);
          for (const a of ['x', 'y', 'z'] as const) {
            if (Math.abs(world.position[a] - motion.position[a]) > codec.position.maxError[a] + 1e-9) return false;
          }
          base = q;
          baseTick = tick;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('a walk with turns at 20 Hz costs under 4 bytes per moving-entity update', () => {
    let bits = 0;
    let updates = 0;
    for (let seed = 1; seed <= 20; seed++) {
      let base: QuantizedEntityState | undefined;
      for (const motion of walk(seed, 200)) {
        const q = codec.quantize(motion);
        const r = roundTrip(q, base, TICK_MS);
        if (base !== undefined) {
          bits += r.bits + 1; // + its bit in the changed-slots mask
          updates++;
        }
        base = q;
      }
    }
    expect(bits / updates / 8).toBeLessThan(4);
  });

  it('rotations that change their largest component and teleports go through the full-width classes', () => {
    const a = codec.quantize({ position: { x: -4000, y: 0, z: 0 }, rotation: yaw(0), velocity: { x: 0, y: 0, z: 0 }, flags: 0 });
    const b = codec.quantize({ position: { x: 4000, y: 500, z: 4000 }, rotation: yaw(3), velocity: { x: 20, y: -20, z: 20 }, flags: 255 });
    expect(codec.equals(roundTrip(b, a, TICK_MS).decoded, b)).toBe(true);
    expect(codec.equals(roundTrip(a, b, TICK_MS).decoded, a)).toBe(true);
  });

  it('refuses a delta without a baseline and never throws anything but ProtocolError on random bits', () => {
    const w = new BitWriter();
    const q = codec.quantize({ position: { x: 0, y: 0, z: 0 }, rotation: yaw(1), velocity: { x: 1, y: 0, z: 0 }, flags: 0 });
    codec.writeUpdate(w, codec.predict(q, 1000), q, 0);
    expect(() => codec.readUpdate(new BitReader(w.finish()), undefined, 0)).toThrow(/without a baseline/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        try {
          codec.readUpdate(new BitReader(bytes), q, TICK_MS);
          return true;
        } catch (error) {
          return isProtocolError(error);
        }
      }),
    );
  });

  it('refuses bad flags and NaN', () => {
    expect(() => codec.quantize({ position: { x: 0, y: 0, z: 0 }, rotation: yaw(0), velocity: { x: 0, y: 0, z: 0 }, flags: 256 })).toThrow(/flags/);
    expect(() => codec.quantize({ position: { x: Number.NaN, y: 0, z: 0 }, rotation: yaw(0), velocity: { x: 0, y: 0, z: 0 }, flags: 0 })).toThrow(/not a number/);
  });

  it('quantizeInto and writeUpdateAt (array layout) give the same integers and bits as quantize and writeUpdate', () => {
    const states = new Uint32Array(ENTITY_STATE_FIELDS * 2);
    let previous: QuantizedEntityState | undefined;
    let tick = 0;
    for (const motion of walk(99, 2_000)) {
      tick++;
      const q = codec.quantize(motion);
      const at = (tick % 2) * ENTITY_STATE_FIELDS;
      codec.quantizeInto(motion, states, at);
      expect(ENTITY_STATE_FIELD_ORDER.map((k, i) => states[at + i])).toEqual(ENTITY_STATE_FIELD_ORDER.map((k) => q[k]));
      const elapsed = (tick % 5) * TICK_MS;
      const a = new BitWriter();
      const b = new BitWriter();
      const wroteA = codec.writeUpdate(a, q, previous, elapsed);
      const baseAt = ((tick + 1) % 2) * ENTITY_STATE_FIELDS;
      const wroteB = codec.writeUpdateAt(b, states, at, previous === undefined ? undefined : states, baseAt, elapsed);
      expect(wroteB).toBe(wroteA);
      expect(b.finish()).toEqual(a.finish());
      previous = q;
    }
    expect(() => codec.quantizeInto({ position: { x: 0, y: 0, z: 0 }, rotation: yaw(0), velocity: { x: 0, y: 0, z: 0 }, flags: 1.5 }, states, 0)).toThrow(/flags/);
  });

  it('refuses a state whose fields do not fit their widths (nothing is written)', () => {
    const q = codec.quantize({ position: { x: 1, y: 2, z: 3 }, rotation: yaw(1), velocity: { x: 1, y: 0, z: 0 }, flags: 3 });
    for (const [field, value] of [['px', 2 ** 19], ['ri', 4], ['flags', 256], ['vx', -1], ['ra', 1.5], ['pz', Number.NaN]] as const) {
      const w = new BitWriter();
      expect(() => codec.writeUpdate(w, { ...q, [field]: value }, undefined, 0)).toThrow(new RegExp(`${field} is`));
      expect(() => codec.writeUpdate(w, { ...q, [field]: value }, q, 50)).toThrow(/not an integer/);
      expect(w.bitLength).toBe(0);
    }
  });
});
