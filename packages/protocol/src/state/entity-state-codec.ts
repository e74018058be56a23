/**
 * Entity state codec: one entity's movement state (position, rotation, velocity, flags) as exact
 * integers, and the bit-packed records that carry it in WORLD_DELTA: a full record, or a delta
 * against a baseline the receiver already holds.
 *
 * Wire layout of one update record (bit order: see BitWriter; no alignment):
 * - 1 bit kind: 1 = full, 0 = delta.
 * - full: position x, y, z (quantized over the world box), rotation (smallest three: 2-bit index,
 *   three components), velocity x, y, z (over [-maxSpeed, maxSpeed]), 8-bit flags. Widths come
 *   from the options exactly as in PackedMovement (19 + 16 + 19 + 32 + 33 + 8 = 127 bits with the
 *   defaults).
 * - delta: a 4-bit changed-fields mask (MSB first: position, rotation, velocity, flags), then each
 *   changed field:
 *   - position: per axis a residual against the *prediction* (baseline position advanced by the
 *     baseline velocity over the elapsed time, see {@link EntityStateCodec.predict}), as a 2-bit
 *     class and a payload: 0 = zero; 1 = 4-bit zigzag; 2 = 10-bit zigzag; 3 = the axis in full.
 *   - rotation: 1 bit "same largest index"; if set, per component a residual against the
 *     baseline's component (classes: 0 zero, 1 4-bit zigzag, 2 8-bit zigzag, 3 in full); if not,
 *     the rotation in full (2-bit index and three components).
 *   - velocity: per axis a residual against the baseline (classes: 0 zero, 1 4-bit, 2 8-bit, 3 full).
 *   - flags: 8 bits.
 *
 * The receiver holds the same integers as the sender at every step (no drift): a delta decodes to
 * exactly the quantized state the sender encoded. Prediction is computed in IEEE-754 doubles as
 * `q + round(v * elapsedMs / 1000 / step)` with JavaScript `Math.round` (halves round toward +∞)
 * and the result clamped to the axis range, where `v` is the dequantized velocity
 * `-maxSpeed + q * 2 * maxSpeed / (2^bits - 1)`, taken as 0 when within half a velocity step of
 * zero (the symmetric range has no exact zero level); other-language clients must do the same.
 */
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { BitReader } from '../quantize/bit-reader.js';
import type { BitWriter } from '../quantize/bit-writer.js';
import { packedMovementDefaults, type PackedMovementCodecOptions } from '../quantize/packed-movement.js';
import { createQuaternionQuantizer, type QuaternionLike, type QuaternionQuantizer } from '../quantize/quaternion.js';
import { createVectorQuantizer, type Vector3Like, type VectorQuantizer } from '../quantize/vector.js';

/** An entity's movement state in world units (what the game simulates). */
export interface EntityMotion {
  /** World position, in world units. */
  position: Vector3Like;
  /** Orientation (need not be normalised when quantizing). */
  rotation: QuaternionLike;
  /** Velocity, in world units per second. */
  velocity: Vector3Like;
  /** Eight game-defined bits, 0..255. */
  flags: number;
}

/**
 * An entity's state as the integers that go on the wire. Immutable by convention: a sender keeps
 * it as a receiver's baseline, so never change one after creating it.
 */
export interface QuantizedEntityState {
  /** Quantized position x, y, z. */
  readonly px: number;
  readonly py: number;
  readonly pz: number;
  /** Smallest-three rotation: index of the largest component, then the other three. */
  readonly ri: number;
  readonly ra: number;
  readonly rb: number;
  readonly rc: number;
  /** Quantized velocity x, y, z. */
  readonly vx: number;
  readonly vy: number;
  readonly vz: number;
  /** Flags, 0..255. */
  readonly flags: number;
}

/** Integers of one state held in an array (see {@link ENTITY_STATE_FIELD_ORDER}). */
export const ENTITY_STATE_FIELDS = 11;

/** Order of a state's integers in an array: `quantizeInto` writes and `writeUpdateAt` reads this layout. */
export const ENTITY_STATE_FIELD_ORDER: readonly (keyof QuantizedEntityState)[] = Object.freeze([
  'px', 'py', 'pz', 'ri', 'ra', 'rb', 'rc', 'vx', 'vy', 'vz', 'flags',
] as const);

/** A writable array of integers (a plain array or a typed array). */
export type IntegerArray = { [index: number]: number; readonly length: number };

/** Options of {@link createEntityStateCodec}: the PackedMovement ranges and precisions. */
export type EntityStateCodecOptions = PackedMovementCodecOptions;

/** Defaults of {@link EntityStateCodecOptions} (the same as PackedMovement's). */
export const entityStateCodecDefaults: Readonly<Required<EntityStateCodecOptions>> = packedMovementDefaults;

/** Bits of the changed-fields mask of a delta record. */
const MASK_BITS = 4;
const MASK_POSITION = 0b1000;
const MASK_ROTATION = 0b0100;
const MASK_VELOCITY = 0b0010;
const MASK_FLAGS = 0b0001;
const FLAG_BITS = 8;
const INDEX_BITS = 2;
const CLASS_BITS = 2;
/** Zigzag widths of residual classes 1 and 2, per field kind. */
const POSITION_SMALL_BITS = 4;
const POSITION_MEDIUM_BITS = 10;
const COMPONENT_SMALL_BITS = 4;
const COMPONENT_MEDIUM_BITS = 8;

/** Encodes and decodes entity states; both peers must use the same options. */
export interface EntityStateCodec {
  /** The position quantizer (world box, precision). */
  readonly position: VectorQuantizer;
  /** The velocity quantizer. */
  readonly velocity: VectorQuantizer;
  /** The rotation quantizer. */
  readonly rotation: QuaternionQuantizer;
  /** Bits of a full record, kind bit included (128 with the defaults). */
  readonly fullRecordBits: number;
  /** Quantizes a simulated state; `VALUE_OUT_OF_RANGE` for NaN, a zero rotation or bad flags. */
  quantize(motion: Readonly<EntityMotion>): QuantizedEntityState;
  /**
   * {@link quantize} without allocating: writes the state's {@link ENTITY_STATE_FIELDS} integers
   * into `out` from `offset` in {@link ENTITY_STATE_FIELD_ORDER} (for servers keeping states in
   * typed arrays). Same errors as `quantize`; on error `out` may be partly written.
   */
  quantizeInto(motion: Readonly<EntityMotion>, out: IntegerArray, offset: number): void;
  /** The world-unit state that `q` stands for. */
  dequantize(q: QuantizedEntityState): EntityMotion;
  /** `base` with its position advanced by its velocity over `elapsedMs` (what a receiver assumes when nothing arrives). */
  predict(base: QuantizedEntityState, elapsedMs: number): QuantizedEntityState;
  /** True when the two states are the same integers. */
  equals(a: QuantizedEntityState, b: QuantizedEntityState): boolean;
  /**
   * Appends an update record: a delta of `q` against `base` (`elapsedMs` after it), or a full
   * record when `base` is undefined. Returns false, writing nothing, when `q` equals the
   * prediction from `base` (the receiver already has it).
   */
  writeUpdate(writer: BitWriter, q: QuantizedEntityState, base: QuantizedEntityState | undefined, elapsedMs: number): boolean;
  /**
   * {@link writeUpdate} on states held as integers in {@link ENTITY_STATE_FIELD_ORDER}: the state
   * at `states[stateOffset…]` against the baseline at `baseStates[baseOffset…]` (a full record
   * when `baseStates` is undefined). Writes the same bits as `writeUpdate`, allocating nothing.
   */
  writeUpdateAt(
    writer: BitWriter,
    states: ArrayLike<number>,
    stateOffset: number,
    baseStates: ArrayLike<number> | undefined,
    baseOffset: number,
    elapsedMs: number,
  ): boolean;
  /**
   * Reads an update record. A delta needs the baseline (`MALFORMED_PAYLOAD` without one); throws
   * `BITSTREAM_OVERRUN` when the bits run out.
   */
  readUpdate(reader: BitReader, base: QuantizedEntityState | undefined, elapsedMs: number): QuantizedEntityState;
}

/**
 * Builds an {@link EntityStateCodec}. Throws `VALUE_OUT_OF_RANGE` for bad ranges or precisions.
 * @example
 * const codec = createEntityStateCodec();
 * const q = codec.quantize({ position, rotation, velocity, flags: 0 });
 * codec.writeUpdate(writer, q, baseline, 50); // delta against what the client holds
 */
export function createEntityStateCodec(options?: EntityStateCodecOptions): EntityStateCodec {
  const o = { ...entityStateCodecDefaults, ...definedOnly(options) };
  const speed = o.maxSpeed;
  if (!Number.isFinite(speed) || !(speed > 0)) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `entity state: maxSpeed must be a positive finite number, got ${String(speed)}`);
  }
  const position = createVectorQuantizer({ min: o.worldMin, max: o.worldMax, precision: o.positionPrecision, label: 'position' });
  const velocity = createVectorQuantizer({
    min: { x: -speed, y: -speed, z: -speed },
    max: { x: speed, y: speed, z: speed },
    precision: o.velocityPrecision,
    label: 'velocity',
  });
  const rotation = createQuaternionQuantizer({ bitsPerComponent: o.rotationBits });
  const pb = [position.bitsPerAxis.x, position.bitsPerAxis.y, position.bitsPerAxis.z] as const;
  const vb = [velocity.bitsPerAxis.x, velocity.bitsPerAxis.y, velocity.bitsPerAxis.z] as const;
  const rBits = rotation.bitsPerComponent;
  const pMax = pb.map((b) => 2 ** b - 1);
  /** Quantization steps of position, per axis, in world units. */
  const pStep = (['x', 'y', 'z'] as const).map((a) => (position.max[a] - position.min[a]) / (2 ** position.bitsPerAxis[a] - 1));
  const vLevels = vb.map((b) => 2 ** b - 1);
  /** Scratch arrays of `quantize` (their values are copied into the new state at once). */
  const scratchP = [0, 0, 0];
  const scratchV = [0, 0, 0];
  const scratchR: [number, number, number, number] = [0, 0, 0, 0];
  const fullBits = 1 + position.totalBits + rotation.totalBits + velocity.totalBits + FLAG_BITS;

  const make = (p: number[], r: readonly number[], v: number[], flags: number): QuantizedEntityState =>
    // Not frozen: one is made per moving entity per tick, and freezing costs more than the rest of
    // quantization. The type is readonly; treat states as immutable (they are receivers' baselines).
    ({ px: p[0]!, py: p[1]!, pz: p[2]!, ri: r[0]!, ra: r[1]!, rb: r[2]!, rc: r[3]!, vx: v[0]!, vy: v[1]!, vz: v[2]!, flags });

  /** Velocity steps, per axis: within half a step of zero counts as zero when predicting. */
  const vHalfStep = vLevels.map((levels) => speed / levels);
  const velocityOf = (q: number, axis: number): number => {
    const v = -speed + (q * 2 * speed) / vLevels[axis]!;
    // The symmetric range has no exact zero level: a resting entity's velocity decodes as half a
    // step; predicting with it would drift a resting entity by a position step every second.
    return v <= vHalfStep[axis]! && v >= -vHalfStep[axis]! ? 0 : v;
  };

  const predictAxis = (base: number, vq: number, axis: number, elapsedMs: number): number => {
    const moved = base + Math.round((velocityOf(vq, axis) * elapsedMs) / 1000 / pStep[axis]!);
    const max = pMax[axis]!;
    return moved < 0 ? 0 : moved > max ? max : moved;
  };

  const predict = (base: QuantizedEntityState, elapsedMs: number): QuantizedEntityState => {
    if (elapsedMs === 0) return base;
    const px = predictAxis(base.px, base.vx, 0, elapsedMs);
    const py = predictAxis(base.py, base.vy, 1, elapsedMs);
    const pz = predictAxis(base.pz, base.vz, 2, elapsedMs);
    if (px === base.px && py === base.py && pz === base.pz) return base;
    return { ...base, px, py, pz };
  };

  const equals = (a: QuantizedEntityState, b: QuantizedEntityState): boolean =>
    a === b ||
    (a.px === b.px && a.py === b.py && a.pz === b.pz && a.ri === b.ri && a.ra === b.ra && a.rb === b.rb && a.rc === b.rc &&
      a.vx === b.vx && a.vy === b.vy && a.vz === b.vz && a.flags === b.flags);

  const readFull = (r: BitReader): QuantizedEntityState =>
    make(
      [r.readBits(pb[0]), r.readBits(pb[1]), r.readBits(pb[2])],
      [r.readBits(INDEX_BITS), r.readBits(rBits), r.readBits(rBits), r.readBits(rBits)],
      [r.readBits(vb[0]), r.readBits(vb[1]), r.readBits(vb[2])],
      r.readBits(FLAG_BITS),
    );

  /** Scratch of `writeUpdate` (states copied into the array layout). */
  const scratchQ = new Float64Array(ENTITY_STATE_FIELDS);
  const scratchBase = new Float64Array(ENTITY_STATE_FIELDS);

  const writeFullAt = (w: BitWriter, s: ArrayLike<number>, o: number): void => {
    w.reserveBits(fullBits);
    w.putBits(1, 1);
    w.putBits(s[o]!, pb[0]);
    w.putBits(s[o + 1]!, pb[1]);
    w.putBits(s[o + 2]!, pb[2]);
    w.putBits(s[o + 3]!, INDEX_BITS);
    w.putBits(s[o + 4]!, rBits);
    w.putBits(s[o + 5]!, rBits);
    w.putBits(s[o + 6]!, rBits);
    w.putBits(s[o + 7]!, vb[0]);
    w.putBits(s[o + 8]!, vb[1]);
    w.putBits(s[o + 9]!, vb[2]);
    w.putBits(s[o + 10]!, FLAG_BITS);
  };

  /** Widest value of each field, in the array layout (a state is checked before its bits are put). */
  const fieldMax = [pMax[0]!, pMax[1]!, pMax[2]!, 3, 2 ** rBits - 1, 2 ** rBits - 1, 2 ** rBits - 1, vLevels[0]!, vLevels[1]!, vLevels[2]!, 255];
  const checkState = (s: ArrayLike<number>, o: number): void => {
    for (let i = 0; i < ENTITY_STATE_FIELDS; i++) {
      const v = s[o + i]!;
      if (!(v >= 0 && v <= fieldMax[i]!) || Math.floor(v) !== v) {
        throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `entity state: ${ENTITY_STATE_FIELD_ORDER[i]!} is ${String(v)}, not an integer in 0..${fieldMax[i]!}`);
      }
    }
  };

  const writeUpdateAt = (
    w: BitWriter,
    s: ArrayLike<number>,
    o: number,
    b: ArrayLike<number> | undefined,
    bo: number,
    elapsedMs: number,
  ): boolean => {
    checkState(s, o);
    if (b === undefined) {
      writeFullAt(w, s, o);
      return true;
    }
    const px = s[o]!, py = s[o + 1]!, pz = s[o + 2]!;
    const ri = s[o + 3]!, ra = s[o + 4]!, rb = s[o + 5]!, rc = s[o + 6]!;
    const vx = s[o + 7]!, vy = s[o + 8]!, vz = s[o + 9]!, flags = s[o + 10]!;
    const bvx = b[bo + 7]!, bvy = b[bo + 8]!, bvz = b[bo + 9]!;
    // The prediction, per axis, without building a state object (this runs per entity per tick).
    const ppx = elapsedMs === 0 ? b[bo]! : predictAxis(b[bo]!, bvx, 0, elapsedMs);
    const ppy = elapsedMs === 0 ? b[bo + 1]! : predictAxis(b[bo + 1]!, bvy, 1, elapsedMs);
    const ppz = elapsedMs === 0 ? b[bo + 2]! : predictAxis(b[bo + 2]!, bvz, 2, elapsedMs);
    const bri = b[bo + 3]!, bra = b[bo + 4]!, brb = b[bo + 5]!, brc = b[bo + 6]!;
    const rotationChanged = ri !== bri || ra !== bra || rb !== brb || rc !== brc;
    const mask =
      (px !== ppx || py !== ppy || pz !== ppz ? MASK_POSITION : 0) |
      (rotationChanged ? MASK_ROTATION : 0) |
      (vx !== bvx || vy !== bvy || vz !== bvz ? MASK_VELOCITY : 0) |
      (flags !== b[bo + 10]! ? MASK_FLAGS : 0);
    if (mask === 0) return false;
    // Worst case of a delta record is below a full record plus the mask and class bits.
    w.reserveBits(fullBits + MASK_BITS + 10 * CLASS_BITS + 1);
    w.putBits(0, 1);
    w.putBits(mask, MASK_BITS);
    if (mask & MASK_POSITION) {
      putResidual(w, px, ppx, pb[0], POSITION_SMALL_BITS, POSITION_MEDIUM_BITS);
      putResidual(w, py, ppy, pb[1], POSITION_SMALL_BITS, POSITION_MEDIUM_BITS);
      putResidual(w, pz, ppz, pb[2], POSITION_SMALL_BITS, POSITION_MEDIUM_BITS);
    }
    if (mask & MASK_ROTATION) {
      if (ri === bri) {
        w.putBits(1, 1);
        putResidual(w, ra, bra, rBits, COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
        putResidual(w, rb, brb, rBits, COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
        putResidual(w, rc, brc, rBits, COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
      } else {
        w.putBits(0, 1);
        w.putBits(ri, INDEX_BITS);
        w.putBits(ra, rBits);
        w.putBits(rb, rBits);
        w.putBits(rc, rBits);
      }
    }
    if (mask & MASK_VELOCITY) {
      putResidual(w, vx, bvx, vb[0], COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
      putResidual(w, vy, bvy, vb[1], COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
      putResidual(w, vz, bvz, vb[2], COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
    }
    if (mask & MASK_FLAGS) w.putBits(flags, FLAG_BITS);
    return true;
  };

  const checkFlags = (flags: number): void => {
    if (!Number.isInteger(flags) || flags < 0 || flags > 255) {
      throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `entity state: flags must be an integer in 0..255, got ${String(flags)}`);
    }
  };

  return Object.freeze({
    position,
    velocity,
    rotation,
    fullRecordBits: fullBits,
    quantize(motion: Readonly<EntityMotion>): QuantizedEntityState {
      const flags = motion.flags;
      checkFlags(flags);
      return make(position.quantize(motion.position, scratchP), rotation.quantize(motion.rotation, scratchR), velocity.quantize(motion.velocity, scratchV), flags);
    },
    quantizeInto(motion: Readonly<EntityMotion>, out: IntegerArray, o: number): void {
      const flags = motion.flags;
      checkFlags(flags);
      const p = position.quantize(motion.position, scratchP);
      const r = rotation.quantize(motion.rotation, scratchR);
      const v = velocity.quantize(motion.velocity, scratchV);
      out[o] = p[0]!;
      out[o + 1] = p[1]!;
      out[o + 2] = p[2]!;
      out[o + 3] = r[0];
      out[o + 4] = r[1];
      out[o + 5] = r[2];
      out[o + 6] = r[3];
      out[o + 7] = v[0]!;
      out[o + 8] = v[1]!;
      out[o + 9] = v[2]!;
      out[o + 10] = flags;
    },
    dequantize(q: QuantizedEntityState): EntityMotion {
      return {
        position: position.dequantize(q.px, q.py, q.pz),
        rotation: rotation.dequantize(q.ri, q.ra, q.rb, q.rc),
        velocity: velocity.dequantize(q.vx, q.vy, q.vz),
        flags: q.flags,
      };
    },
    predict,
    equals,
    writeUpdate(w: BitWriter, q: QuantizedEntityState, base: QuantizedEntityState | undefined, elapsedMs: number): boolean {
      toFields(q, scratchQ);
      if (base === undefined) return writeUpdateAt(w, scratchQ, 0, undefined, 0, elapsedMs);
      toFields(base, scratchBase);
      return writeUpdateAt(w, scratchQ, 0, scratchBase, 0, elapsedMs);
    },
    writeUpdateAt,
    readUpdate(r: BitReader, base: QuantizedEntityState | undefined, elapsedMs: number): QuantizedEntityState {
      if (r.readBits(1) === 1) return readFull(r);
      if (base === undefined) {
        throw new ProtocolError(ProtocolErrorCode.MALFORMED_PAYLOAD, 'entity state: a delta record arrived for an entity without a baseline');
      }
      const mask = r.readBits(MASK_BITS);
      const p = predict(base, elapsedMs);
      const pos = [p.px, p.py, p.pz];
      if (mask & MASK_POSITION) {
        for (let i = 0; i < 3; i++) pos[i] = readResidual(r, pos[i]!, pb[i]!, POSITION_SMALL_BITS, POSITION_MEDIUM_BITS);
      }
      const rot = [base.ri, base.ra, base.rb, base.rc];
      if (mask & MASK_ROTATION) {
        if (r.readBits(1) === 1) {
          for (let i = 1; i < 4; i++) rot[i] = readResidual(r, rot[i]!, rBits, COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
        } else {
          rot[0] = r.readBits(INDEX_BITS);
          for (let i = 1; i < 4; i++) rot[i] = r.readBits(rBits);
        }
      }
      const vel = [base.vx, base.vy, base.vz];
      if (mask & MASK_VELOCITY) {
        for (let i = 0; i < 3; i++) vel[i] = readResidual(r, vel[i]!, vb[i]!, COMPONENT_SMALL_BITS, COMPONENT_MEDIUM_BITS);
      }
      const flags = mask & MASK_FLAGS ? r.readBits(FLAG_BITS) : base.flags;
      return make(pos, rot, vel, flags);
    },
  });
}

/**
 * Writes `value - reference` in the smallest class that holds it (class 3: `value` in `fullBits`),
 * through `putBits`: the caller checked the values and reserved room for the record.
 */
function putResidual(w: BitWriter, value: number, reference: number, fullBits: number, smallBits: number, mediumBits: number): void {
  const d = value - reference;
  if (d === 0) {
    w.putBits(0, CLASS_BITS);
    return;
  }
  const smallHalf = smallBits === 4 ? 8 : 2 ** (smallBits - 1);
  if (d >= -smallHalf && d < smallHalf && smallBits < fullBits) {
    w.putBits(1, CLASS_BITS);
    w.putBits(d >= 0 ? d * 2 : -d * 2 - 1, smallBits);
    return;
  }
  const mediumHalf = mediumBits === 8 ? 128 : mediumBits === 10 ? 512 : 2 ** (mediumBits - 1);
  if (d >= -mediumHalf && d < mediumHalf && mediumBits < fullBits) {
    w.putBits(2, CLASS_BITS);
    w.putBits(d >= 0 ? d * 2 : -d * 2 - 1, mediumBits);
    return;
  }
  w.putBits(3, CLASS_BITS);
  w.putBits(value, fullBits);
}

/** Reads what {@link putResidual} wrote; a result outside `0..2^fullBits - 1` is a malformed record. */
function readResidual(r: BitReader, reference: number, fullBits: number, smallBits: number, mediumBits: number): number {
  const cls = r.readBits(CLASS_BITS);
  let value: number;
  if (cls === 0) value = reference;
  else if (cls === 1) value = reference + r.readSigned(smallBits);
  else if (cls === 2) value = reference + r.readSigned(mediumBits);
  else return r.readBits(fullBits);
  if (value < 0 || value > 2 ** fullBits - 1) {
    throw new ProtocolError(ProtocolErrorCode.MALFORMED_PAYLOAD, `entity state: a residual leads outside the field's range (${value})`);
  }
  return value;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  const out: Partial<T> = {};
  if (value === undefined) return out;
  for (const [k, v] of Object.entries(value)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Copies a state's integers into `out` in {@link ENTITY_STATE_FIELD_ORDER}. */
function toFields(q: QuantizedEntityState, out: IntegerArray): void {
  out[0] = q.px;
  out[1] = q.py;
  out[2] = q.pz;
  out[3] = q.ri;
  out[4] = q.ra;
  out[5] = q.rb;
  out[6] = q.rc;
  out[7] = q.vx;
  out[8] = q.vy;
  out[9] = q.vz;
  out[10] = q.flags;
}
