/**
 * PackedMovement: one entity's movement state (input tick, position, rotation, velocity, flags) as
 * a fixed-size bit-packed record, for the per-tick deltas and movement inputs where protobuf floats
 * would cost several times as much.
 *
 * Wire layout, in this order with no alignment (bit order: see BitWriter), then zero padding to a
 * whole byte:
 * 1. `inputTick`: 32-bit unsigned integer, in full (no wrapping scheme).
 * 2. `position` x, y, z: each quantized over [worldMin, worldMax] of its axis with the fewest bits
 *    giving an error of at most `positionPrecision` (see `bitsForPrecision`).
 * 3. `rotation`: smallest three (2-bit index, then three components of `rotationBits` bits).
 * 4. `velocity` x, y, z: each clamped to [-maxSpeed, maxSpeed], quantized with the fewest bits
 *    giving an error of at most `velocityPrecision`.
 * 5. `flags`: 8-bit unsigned integer, as given (its meaning is the game's).
 *
 * Both peers must use the same options: they decide the bit widths. With the defaults the record
 * is 159 bits, 20 bytes; `describeLayout()` lists every field with its width and offset.
 */
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import { createQuaternionQuantizer, type QuaternionLike, type QuaternionQuantizer } from './quaternion.js';
import { createVectorQuantizer, type Vector3Like, type VectorQuantizer } from './vector.js';

/** One entity's movement state, as encoded by a {@link PackedMovementCodec}. */
export interface PackedMovement {
  /** The client input tick this state answers, an unsigned 32-bit integer, sent exactly. */
  inputTick: number;
  /** World position, in world units (metres with the default options); clamped to the world box. */
  position: Vector3Like;
  /** Orientation as a quaternion (need not be normalised when encoding; decoded as a unit one). */
  rotation: QuaternionLike;
  /** Velocity, in world units per second; each axis clamped to [-maxSpeed, maxSpeed]. */
  velocity: Vector3Like;
  /** Eight game-defined bits (grounded, crouching, ...), an integer in 0..255, sent exactly. */
  flags: number;
}

/**
 * Options of {@link createPackedMovementCodec}. Distances are in world units, which are metres
 * with the defaults; a game in other units (centimetres, say) scales every option accordingly.
 */
export interface PackedMovementCodecOptions {
  /**
   * Lower corner of the world box, per axis; positions below it are clamped.
   * @default { x: -4096, y: -512, z: -4096 }
   */
  worldMin?: Readonly<Vector3Like>;
  /**
   * Upper corner of the world box, per axis (each above `worldMin`); positions above it are clamped.
   * @default { x: 4096, y: 512, z: 4096 }
   */
  worldMax?: Readonly<Vector3Like>;
  /**
   * Largest position error per axis after a round trip, in world units (metres).
   * @default 0.01
   */
  positionPrecision?: number;
  /**
   * Largest speed per axis, in world units (metres) per second; faster components are clamped.
   * @default 20
   */
  maxSpeed?: number;
  /**
   * Largest velocity error per axis after a round trip, in world units (metres) per second.
   * @default 0.01
   */
  velocityPrecision?: number;
  /**
   * Bits of each of the three smallest-three rotation components, 1..32 (rotation = 2 + 3 × this).
   * @default 10
   */
  rotationBits?: number;
}

/** Defaults of {@link PackedMovementCodecOptions}. */
export const packedMovementDefaults: Readonly<Required<PackedMovementCodecOptions>> = Object.freeze({
  // An 8 km × 8 km zone, 1 km tall centred on sea level: larger than most MMO zones (which stream
  // their own origin), and 19 + 16 + 19 bits at 1 cm.
  worldMin: Object.freeze({ x: -4096, y: -512, z: -4096 }),
  worldMax: Object.freeze({ x: 4096, y: 512, z: 4096 }),
  // 1 cm: invisible at play distances, and the server corrects anything larger anyway.
  positionPrecision: 0.01,
  // 20 m/s (72 km/h): sprinting and mounts; vehicles or falling bodies should raise it.
  maxSpeed: 20,
  // 1 cm/s: extrapolated over a 100 ms gap that is 1 mm of drift.
  velocityPrecision: 0.01,
  // 10 bits: 32-bit rotations within 0.275° (see maxQuaternionErrorRad).
  rotationBits: 10,
});

/** One field of the PackedMovement wire layout, as listed by `describeLayout()`. */
export interface PackedMovementLayoutField {
  /** Field name, e.g. `'position.x'`, `'rotation.index'`, or `'padding'` for the final zero bits. */
  field: string;
  /** Width of the field, in bits. */
  bits: number;
  /** Position of the field's first (most significant) bit from the start of the record, in bits. */
  offsetBits: number;
  /** How the field's bits are to be read, in words. */
  encoding: string;
}

/** Encodes and decodes {@link PackedMovement} records with fixed options. */
export interface PackedMovementCodec {
  /** Bits of one record, without padding. */
  readonly totalBits: number;
  /** Bytes of one encoded record: `totalBits` rounded up to whole bytes. */
  readonly byteLength: number;
  /** The position quantizer (bits per axis, actual largest error per axis). */
  readonly position: VectorQuantizer;
  /** The velocity quantizer (bits per axis, actual largest error per axis). */
  readonly velocity: VectorQuantizer;
  /** The rotation quantizer (bits, largest angular error). */
  readonly rotation: QuaternionQuantizer;
  /**
   * Encodes one record into exactly `byteLength` bytes. Throws `VALUE_OUT_OF_RANGE` naming the
   * field for a tick or flags that do not fit, a NaN coordinate, or a zero-length rotation.
   */
  encode(movement: Readonly<PackedMovement>): Uint8Array;
  /**
   * Decodes one record of exactly `byteLength` bytes. Throws `BITSTREAM_OVERRUN` when `bytes` is
   * shorter and `MALFORMED_PAYLOAD` when it is longer (trailing bytes, or a peer with other options);
   * any `byteLength` bytes decode to some record. Throws nothing but ProtocolError.
   */
  decode(bytes: Uint8Array): PackedMovement;
  /**
   * Appends one record to a bit stream shared with other records (no padding); validates everything
   * and reserves room first, so a throw leaves the writer unchanged.
   */
  write(writer: BitWriter, movement: Readonly<PackedMovement>): void;
  /** Reads one record from a bit stream; throws `BITSTREAM_OVERRUN`, consuming nothing, if it is cut short. */
  read(reader: BitReader): PackedMovement;
  /** The wire layout for these options: every field in order with its width, offset and encoding. */
  describeLayout(): PackedMovementLayoutField[];
}

/** Width of `inputTick`, in bits. */
const TICK_BITS = 32;
/** Width of `flags`, in bits. */
const FLAGS_BITS = 8;
const AXES = ['x', 'y', 'z'] as const;

function outOfRange(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `PackedMovement: ${message}`);
}

function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw outOfRange(`option ${name} must be a positive finite number, got ${String(value)}`);
  }
}

function checkUint(name: string, value: unknown, bits: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw outOfRange(`${name} must be an integer in 0..${2 ** bits - 1}, got ${String(value)}`);
  }
}

function checkVector(name: string, value: unknown): void {
  if (value === null || typeof value !== 'object') throw outOfRange(`${name} is ${String(value)}, not a vector`);
  for (const axis of AXES) {
    const c = (value as Record<string, unknown>)[axis];
    if (typeof c !== 'number' || Number.isNaN(c)) throw outOfRange(`${name}.${axis} is ${String(c)}, not a number`);
  }
}

function checkRotation(value: unknown): void {
  if (value === null || typeof value !== 'object') throw outOfRange(`rotation is ${String(value)}, not a quaternion`);
  const { x, y, z, w } = value as Record<string, unknown>;
  const allNumbers = typeof x === 'number' && typeof y === 'number' && typeof z === 'number' && typeof w === 'number';
  const norm = allNumbers ? Math.hypot(x, y, z, w) : Number.NaN;
  if (!(norm > 0) || !Number.isFinite(norm)) {
    throw outOfRange(
      `rotation (${String(x)}, ${String(y)}, ${String(z)}, ${String(w)}) has no finite non-zero length`,
    );
  }
}

/**
 * Builds a {@link PackedMovementCodec}. Throws `VALUE_OUT_OF_RANGE` naming the option when an
 * option is invalid: world bounds not finite with worldMin < worldMax on every axis, a precision or
 * maxSpeed not positive, rotationBits outside 1..32, or a precision so fine it needs over 32 bits.
 *
 * @example
 * ```ts
 * const codec = createPackedMovementCodec(); // 20-byte records
 * const bytes = codec.encode({
 *   inputTick: 1042,
 *   position: { x: 12.5, y: 3, z: -870.25 },
 *   rotation: { x: 0, y: 0.3826834, z: 0, w: 0.9238795 },
 *   velocity: { x: 4, y: 0, z: -1.5 },
 *   flags: 0b0000_0001,
 * });
 * const movement = codec.decode(bytes);
 * ```
 */
export function createPackedMovementCodec(options?: PackedMovementCodecOptions): PackedMovementCodec {
  const worldMin = options?.worldMin ?? packedMovementDefaults.worldMin;
  const worldMax = options?.worldMax ?? packedMovementDefaults.worldMax;
  const positionPrecision = options?.positionPrecision ?? packedMovementDefaults.positionPrecision;
  const maxSpeed = options?.maxSpeed ?? packedMovementDefaults.maxSpeed;
  const velocityPrecision = options?.velocityPrecision ?? packedMovementDefaults.velocityPrecision;
  const rotationBits = options?.rotationBits ?? packedMovementDefaults.rotationBits;

  for (const axis of AXES) {
    const lo = worldMin[axis];
    const hi = worldMax[axis];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi) || !Number.isFinite(hi - lo)) {
      throw outOfRange(
        `options worldMin.${axis} (${String(lo)}) and worldMax.${axis} (${String(hi)}) must be finite ` +
          `with worldMin.${axis} < worldMax.${axis}`,
      );
    }
  }
  checkPositive('positionPrecision', positionPrecision);
  checkPositive('maxSpeed', maxSpeed);
  checkPositive('velocityPrecision', velocityPrecision);
  if (!Number.isInteger(rotationBits) || rotationBits < 1 || rotationBits > 32) {
    throw outOfRange(`option rotationBits must be an integer in 1..32, got ${String(rotationBits)}`);
  }

  const position = createVectorQuantizer({
    min: worldMin,
    max: worldMax,
    precision: positionPrecision,
    label: 'PackedMovement position (options worldMin, worldMax, positionPrecision)',
  });
  const velocity = createVectorQuantizer({
    min: { x: -maxSpeed, y: -maxSpeed, z: -maxSpeed },
    max: { x: maxSpeed, y: maxSpeed, z: maxSpeed },
    precision: velocityPrecision,
    label: 'PackedMovement velocity (options maxSpeed, velocityPrecision)',
  });
  const rotation = createQuaternionQuantizer({ bitsPerComponent: rotationBits });
  const totalBits = TICK_BITS + position.totalBits + rotation.totalBits + velocity.totalBits + FLAGS_BITS;
  const byteLength = Math.ceil(totalBits / 8);

  const write = (writer: BitWriter, movement: Readonly<PackedMovement>): void => {
    if (movement === null || typeof movement !== 'object') {
      throw outOfRange(`cannot encode ${String(movement)}: not an object`);
    }
    // Validate every field and reserve room before writing the first bit, so a throw leaves a
    // shared writer as it was.
    checkUint('inputTick', movement.inputTick, TICK_BITS);
    checkVector('position', movement.position);
    checkRotation(movement.rotation);
    checkVector('velocity', movement.velocity);
    checkUint('flags', movement.flags, FLAGS_BITS);
    writer.reserveBits(totalBits);
    writer.writeBits(movement.inputTick, TICK_BITS);
    position.write(writer, movement.position);
    rotation.write(writer, movement.rotation);
    velocity.write(writer, movement.velocity);
    writer.writeBits(movement.flags, FLAGS_BITS);
  };

  const read = (reader: BitReader): PackedMovement => {
    if (reader.remainingBits < totalBits) {
      throw new ProtocolError(
        ProtocolErrorCode.BITSTREAM_OVERRUN,
        `PackedMovement: a record needs ${totalBits} bits, only ${reader.remainingBits} remain ` +
          `at bit ${reader.bitPosition}`,
      );
    }
    // Object literal properties evaluate in source order, which is the wire order.
    return {
      inputTick: reader.readBits(TICK_BITS),
      position: position.read(reader),
      rotation: rotation.read(reader),
      velocity: velocity.read(reader),
      flags: reader.readBits(FLAGS_BITS),
    };
  };

  const describeLayout = (): PackedMovementLayoutField[] => {
    const fields: PackedMovementLayoutField[] = [];
    let offsetBits = 0;
    const add = (field: string, bits: number, encoding: string): void => {
      fields.push({ field, bits, offsetBits, encoding });
      offsetBits += bits;
    };
    add('inputTick', TICK_BITS, 'uint32');
    for (const axis of AXES) {
      add(`position.${axis}`, position.bitsPerAxis[axis], `quantized [${worldMin[axis]}, ${worldMax[axis]}]`);
    }
    add('rotation.index', 2, 'index of the largest |component|: 0 = x, 1 = y, 2 = z, 3 = w');
    for (const name of ['a', 'b', 'c'] as const) {
      add(`rotation.${name}`, rotationBits, 'next remaining component in x, y, z, w order, quantized [-1/√2, 1/√2]');
    }
    for (const axis of AXES) {
      add(`velocity.${axis}`, velocity.bitsPerAxis[axis], `quantized [${-maxSpeed}, ${maxSpeed}]`);
    }
    add('flags', FLAGS_BITS, 'uint8');
    if (byteLength * 8 > totalBits) add('padding', byteLength * 8 - totalBits, 'zero bits');
    return fields;
  };

  return Object.freeze({
    totalBits,
    byteLength,
    position,
    velocity,
    rotation,
    encode(movement: Readonly<PackedMovement>): Uint8Array {
      const writer = new BitWriter({ maxBytes: byteLength, initialCapacityBytes: byteLength });
      write(writer, movement);
      return writer.finish();
    },
    decode(bytes: Uint8Array): PackedMovement {
      // The reader checks that `bytes` is a Uint8Array before anything reads its length.
      const reader = new BitReader(bytes);
      if (bytes.length > byteLength) {
        throw new ProtocolError(
          ProtocolErrorCode.MALFORMED_PAYLOAD,
          `PackedMovement: a record is ${byteLength} bytes, got ${bytes.length} ` +
            '(trailing bytes, or the peer uses other codec options)',
        );
      }
      return read(reader);
    },
    write,
    read,
    describeLayout,
  });
}
