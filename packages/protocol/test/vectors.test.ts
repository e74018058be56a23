// Checks the conformance vectors in proto/vectors/ (written by scripts/write-vectors.mjs) against
// the current codec: a stale vector or a codec change that alters the wire bytes fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  MessageType,
  ProtocolErrorCode,
  builtinDescriptors,
  bytesSchema,
  createMessageRegistry,
  decodeFrames,
  decodeMessage,
  encodeMessageBatch,
  isProtocolError,
  pb,
  type FrameLimits,
  type MmoEnvelope,
} from '../src/index.js';

type Json = Record<string, unknown>;

interface FrameSpec {
  version: number;
  envelope: Json;
  payloadType: string | null;
  payload: Json | null;
}
interface ValidSpec {
  description: string;
  frames: FrameSpec[];
}
interface InvalidSpec {
  description: string;
  error: string;
  limits?: FrameLimits;
}
interface ManifestEntry {
  name: string;
  bin: string;
  json: string;
  bytes: number;
}
interface Manifest {
  valid: ManifestEntry[];
  invalid: ManifestEntry[];
}

const protoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../proto');
const vectorsDir = join(protoRoot, 'vectors');
const manifest = JSON.parse(readFileSync(join(vectorsDir, 'manifest.json'), 'utf8')) as Manifest;

function load<T>(entry: ManifestEntry): { name: string; bin: Uint8Array; spec: T } {
  return {
    name: entry.name,
    bin: new Uint8Array(readFileSync(join(vectorsDir, entry.bin))),
    spec: JSON.parse(readFileSync(join(vectorsDir, entry.json), 'utf8')) as T,
  };
}
const validVectors = manifest.valid.map((e) => load<ValidSpec>(e));
const invalidVectors = manifest.invalid.map((e) => load<InvalidSpec>(e));

// Full reflection from the .proto sources, the same way the writer produced the JSON.
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoRoot, target);
root.loadSync(
  readdirSync(join(protoRoot, 'mmo/v1'))
    .filter((f) => f.endsWith('.proto'))
    .map((f) => `mmo/v1/${f}`),
  { keepCase: false },
);
root.resolveAll();
const NetworkMessage = root.lookupType('mmo.v1.NetworkMessage');
/** Canonical proto3 JSON, as Google's json_format.MessageToDict prints it. */
const JSON_OPTIONS: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

const registry = createMessageRegistry();
const typeByName = new Map<string, number>(Object.entries(MessageType));

/** The MmoEnvelope a decoder must produce for an envelope JSON, read by hand from proto3 JSON rules. */
function envelopeFromJson(json: Json): MmoEnvelope {
  const type = typeof json.type === 'string' ? typeByName.get(json.type) : json.type;
  if (typeof type !== 'number') throw new Error(`unknown envelope type ${String(json.type)}`);
  return {
    // Absent means 0 on the wire, which the decoder reports as version 1.
    version: (json.version as number | undefined) ?? 1,
    sequence: Number(json.sequence ?? '0'),
    timestamp: Number(json.timestamp ?? '0'),
    sessionId: (json.sessionId as string | undefined) ?? '',
    type,
    payload: new Uint8Array(Buffer.from((json.payload as string | undefined) ?? '', 'base64')),
    requiresAck: (json.requiresAck as boolean | undefined) ?? false,
    priority: (json.priority as number | undefined) ?? 0,
    ack: Number(json.ack ?? '0'),
  };
}

const plain = (env: MmoEnvelope) => ({ ...env, payload: [...env.payload] });

describe('valid vectors', () => {
  it('exist', () => {
    expect(validVectors.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(validVectors)('$name', ({ bin, spec }) => {
    it('decodes to the envelopes of the JSON', () => {
      const decoded = decodeMessage(bin);
      expect(decoded.map(plain)).toEqual(spec.frames.map((f) => plain(envelopeFromJson(f.envelope))));
    });

    it('has the frame versions and canonical envelope JSON of its frames', () => {
      const frames = decodeFrames(bin);
      expect(frames.map((f) => f.version)).toEqual(spec.frames.map((f) => f.version));
      frames.forEach((frame, i) => {
        expect(NetworkMessage.toObject(NetworkMessage.decode(frame.body), JSON_OPTIONS)).toEqual(spec.frames[i]!.envelope);
      });
    });

    it('has payloads that the registry unpacks into exactly the JSON', () => {
      const decoded = decodeMessage(bin);
      decoded.forEach((env, i) => {
        const frame = spec.frames[i]!;
        if (frame.payloadType === null) {
          // Raw bytes: a reserved gameplay type or a custom type nobody registered here.
          expect(frame.payload).toBeNull();
          const descriptor = registry.get(env.type);
          if (descriptor !== undefined) expect(descriptor.schema).toBe(bytesSchema);
          return;
        }
        const value = registry.unpack(env.type, env.payload) as protobuf.Message;
        // The payloadType named in the vector is the class the registry uses for this type.
        const className = frame.payloadType.replace(/^mmo\.v1\./, '') as keyof typeof pb;
        expect(value).toBeInstanceOf(pb[className]);
        const type = root.lookupType(frame.payloadType);
        expect(type.toObject(value, JSON_OPTIONS)).toEqual(frame.payload);
      });
    });

    it('is reproduced byte for byte by the current encoder', () => {
      expect([...encodeMessageBatch(decodeMessage(bin))]).toEqual([...bin]);
    });
  });

  it('cover every built-in message type that has a protobuf payload', () => {
    const covered = new Set<number>();
    for (const { bin, spec } of validVectors) {
      decodeMessage(bin).forEach((env, i) => {
        if (spec.frames[i]!.payloadType !== null) covered.add(env.type);
      });
    }
    const missing = builtinDescriptors.filter((d) => d.schema !== bytesSchema && !covered.has(d.type)).map((d) => d.name);
    expect(missing).toEqual([]);
  });

  it('include a reserved gameplay type, a custom type, a 2^53-1 sequence and a batch', () => {
    const envelopes = validVectors.flatMap(({ bin }) => decodeMessage(bin));
    const reserved = builtinDescriptors.filter((d) => d.schema === bytesSchema).map((d) => d.type);
    expect(envelopes.some((e) => reserved.includes(e.type))).toBe(true);
    expect(envelopes.some((e) => e.type >= 1000)).toBe(true);
    expect(envelopes.some((e) => e.sequence === Number.MAX_SAFE_INTEGER && e.ack > 0)).toBe(true);
    expect(validVectors.some(({ bin }) => decodeMessage(bin).length >= 3)).toBe(true);
  });
});

describe('invalid vectors', () => {
  it('exist', () => {
    expect(invalidVectors.length).toBeGreaterThanOrEqual(11);
  });

  it.each(invalidVectors)('$name is refused with its error code', ({ bin, spec }) => {
    expect(Object.values(ProtocolErrorCode)).toContain(spec.error);
    let caught: unknown;
    try {
      decodeMessage(bin, spec.limits);
    } catch (error) {
      caught = error;
    }
    expect(isProtocolError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe(spec.error);
  });
});

describe('manifest', () => {
  it('lists every vector file, and only existing ones with their sizes', () => {
    for (const kind of ['valid', 'invalid'] as const) {
      const onDisk = readdirSync(join(vectorsDir, kind))
        .map((f) => `${kind}/${f}`)
        .sort();
      const listed = manifest[kind].flatMap((e) => [e.bin, e.json]).sort();
      expect(listed).toEqual(onDisk);
      for (const entry of manifest[kind]) {
        expect(entry.bin).toBe(`${kind}/${entry.name}.bin`);
        expect(entry.json).toBe(`${kind}/${entry.name}.json`);
        expect(readFileSync(join(vectorsDir, entry.bin)).length).toBe(entry.bytes);
      }
    }
  });
});
