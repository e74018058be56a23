import $protobuf from 'protobufjs/minimal.js';
import { describe, expect, it, vi } from 'vitest';
import { MessageType, Priority } from '../codes.js';
import { isProtocolError, isRegistryError, ProtocolErrorCode } from '../errors.js';
import { mmo } from '../gen/mmo.js';
import { defineMessage } from './descriptor.js';
import { createMessageRegistry } from './registry.js';
import { jsonSchema, KEPT_WRITER_MAX_BYTES, protobufSchema, reusingProtobufSchema } from './schema.js';

describe('MessageRegistry', () => {
  it('pre-registers every built-in type with its delivery defaults', () => {
    const registry = createMessageRegistry();
    for (const type of Object.values(MessageType)) expect(registry.has(type)).toBe(true);
    expect(registry.require(MessageType.PLAYER_ACTION)).toMatchObject({ name: 'PLAYER_ACTION', reliable: true, priority: Priority.HIGH });
    expect(registry.require(MessageType.PLAYER_MOVE)).toMatchObject({ reliable: false });
    expect(registry.require(MessageType.WORLD_STATE)).toMatchObject({ compress: true });
    expect(registry.list().map((d) => d.type)).toEqual(Object.values(MessageType).sort((a, b) => a - b));
  });

  it('packs and unpacks built-in payloads by type', () => {
    const registry = createMessageRegistry();
    const bytes = registry.pack(MessageType.HANDSHAKE, { protocolVersion: 1, resumeToken: 'tok', lastReceivedSequence: 42 });
    const hs = registry.unpack(MessageType.HANDSHAKE, bytes);
    expect(hs.protocolVersion).toBe(1);
    expect(hs.resumeToken).toBe('tok');
    expect(hs.lastReceivedSequence).toBe(42);
    expect(registry.unpack(MessageType.HANDSHAKE, new Uint8Array(0)).resumeToken).toBe('');
  });

  it('registers custom types >= 1000 only, and refuses duplicates', () => {
    const registry = createMessageRegistry();
    const chat = registry.register(defineMessage({ type: 1000, name: 'Chat', schema: jsonSchema<{ text: string }>() }));
    expect(chat).toMatchObject({ type: 1000, reliable: true, priority: Priority.NORMAL, compress: false });
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(isRegistryError(error)).toBe(true);
        return (error as { code: string }).code;
      }
      return 'no error';
    };
    expect(code(() => registry.register({ type: 999, name: 'Low', schema: jsonSchema() }))).toBe('INVALID_TYPE');
    expect(code(() => registry.register({ type: 1.5, name: 'Frac', schema: jsonSchema() }))).toBe('INVALID_TYPE');
    expect(code(() => registry.register({ type: 1000, name: 'Other', schema: jsonSchema() }))).toBe('DUPLICATE_TYPE');
    expect(code(() => registry.register({ type: 1001, name: 'Chat', schema: jsonSchema() }))).toBe('DUPLICATE_NAME');
    expect(code(() => registry.register({ type: 1002, name: 'HEARTBEAT', schema: jsonSchema() }))).toBe('DUPLICATE_NAME');
    expect(code(() => registry.register({ type: 1003, name: 'P', schema: jsonSchema(), priority: 11 }))).toBe('INVALID_PRIORITY');
    expect(registry.unpack(chat, registry.pack(chat, { text: 'hi ✓' }))).toEqual({ text: 'hi ✓' });
  });

  it('keeps registries independent (no global state)', () => {
    const a = createMessageRegistry();
    const b = createMessageRegistry();
    a.register({ type: 2000, name: 'OnlyA', schema: jsonSchema() });
    expect(b.has(2000)).toBe(false);
  });

  it('supports a game protobuf class as a custom schema', () => {
    const registry = createMessageRegistry();
    const Pos = registry.register({ type: 1500, name: 'Teleport', schema: protobufSchema(mmo.v1.Vector3), priority: Priority.HIGH });
    const v = registry.unpack(Pos, registry.pack(Pos, { x: 1.5, y: 2, z: -3 }));
    expect([v.x, v.y, v.z]).toEqual([1.5, 2, -3]);
  });

  it('wraps schema failures as ProtocolError and refuses unknown types', () => {
    const registry = createMessageRegistry();
    const chat = registry.register({ type: 1000, name: 'Chat', schema: jsonSchema({ maxBytes: 8 }) });
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(isProtocolError(error)).toBe(true);
        return (error as { code: string }).code;
      }
      return 'no error';
    };
    expect(codeOf(() => registry.unpack(chat, Uint8Array.of(0x7b)))).toBe(ProtocolErrorCode.MALFORMED_PAYLOAD);
    expect(codeOf(() => registry.unpack(chat, new Uint8Array(9).fill(0x20)))).toBe(ProtocolErrorCode.MALFORMED_PAYLOAD);
    expect(codeOf(() => registry.unpack(MessageType.WORLD_STATE, Uint8Array.of(0x22, 0x05, 0x0a)))).toBe(ProtocolErrorCode.MALFORMED_PAYLOAD);
    expect(codeOf(() => registry.unpack(4242, new Uint8Array()))).toBe(ProtocolErrorCode.UNKNOWN_MESSAGE_TYPE);
  });

  it('refuses a descriptor from another registry', () => {
    const a = createMessageRegistry();
    const b = createMessageRegistry();
    const d = a.register({ type: 3000, name: 'X', schema: jsonSchema() });
    b.register({ type: 3000, name: 'X', schema: jsonSchema() });
    expect(() => b.pack(d, {})).toThrowError(expect.objectContaining({ code: 'FOREIGN_DESCRIPTOR' }));
  });
});

describe('reusingProtobufSchema (the built-in payloads)', () => {
  // WORLD_STATE exercises nested messages (forked, length-delimited), repeated fields and bytes.
  const snapshot = (n: number, tag: number): mmo.v1.IWorldStateSnapshot => ({
    tick: tag,
    timestamp: 1_700_000_000_000 + tag,
    zoneId: `zone-${tag}`,
    players: Array.from({ length: n }, (_, i) => ({
      playerId: `p${tag}-${i}`,
      position: { x: i + 0.5, y: -i, z: tag },
      health: i,
      customState: new Uint8Array([tag & 0xff, i & 0xff, 7]),
    })),
  });
  const fresh = (value: mmo.v1.IWorldStateSnapshot) => mmo.v1.WorldStateSnapshot.encode(value).finish();
  /** Counts the writers the schema creates. */
  const countWriters = () => {
    const spy = vi.spyOn($protobuf.Writer, 'create');
    return { get created() { return spy.mock.calls.length; }, restore: () => spy.mockRestore() };
  };

  it('reuses one writer yet gives each encode its own exact bytes, the same as a fresh protobufjs writer', () => {
    const schema = reusingProtobufSchema(mmo.v1.WorldStateSnapshot);
    const writers = countWriters();
    try {
      const values = [snapshot(1, 1), snapshot(3, 2), snapshot(0, 3), snapshot(2, 4)];
      const outputs = values.map((v) => schema.encode(v));
      expect(writers.created).toBe(1);
      values.forEach((v, i) => expect([...outputs[i]!]).toEqual([...fresh(v)]));
      // Earlier results are copies: later encodes did not overwrite them.
      expect(mmo.v1.WorldStateSnapshot.decode(outputs[0]!).zoneId).toBe('zone-1');
    } finally {
      writers.restore();
    }
  });

  it(`drops a writer that grew past ${KEPT_WRITER_MAX_BYTES} bytes, and one whose encode threw`, () => {
    const schema = reusingProtobufSchema(mmo.v1.WorldStateSnapshot);
    // Expected bytes first: protobufjs's own encode creates a writer too.
    const expectedBig = fresh(snapshot(600, 1));
    const expectedAfter = fresh(snapshot(2, 5));
    const writers = countWriters();
    try {
      const big = schema.encode(snapshot(600, 1));
      expect(big.length).toBeGreaterThan(KEPT_WRITER_MAX_BYTES);
      expect([...big]).toEqual([...expectedBig]);
      schema.encode(snapshot(2, 2));
      schema.encode(snapshot(2, 3));
      expect(writers.created).toBe(2); // the big one was not kept; the next one was
      // protobufjs throws inside the second nested player (a BigInt health), after writing the first.
      const bad = { ...snapshot(2, 4), players: [{ playerId: 'ok' }, { playerId: 'bad', health: 1n as unknown as number }] };
      expect(() => schema.encode(bad)).toThrow();
      const after = schema.encode(snapshot(2, 5));
      expect(writers.created).toBe(3); // the half-written writer was not given back
      expect([...after]).toEqual([...expectedAfter]);
    } finally {
      writers.restore();
    }
  });

  it('is what every built-in protobuf payload uses, and registries still share the frozen built-in descriptors', () => {
    const a = createMessageRegistry();
    const b = createMessageRegistry();
    expect(a.require(MessageType.WORLD_STATE)).toBe(b.require(MessageType.WORLD_STATE));
    const bytes = a.pack(MessageType.INTEREST_UPDATE, { tick: 9, entered: [1, 2], exited: [3] });
    expect([...bytes]).toEqual([...mmo.v1.InterestUpdate.encode({ tick: 9, entered: [1, 2], exited: [3] }).finish()]);
  });
});
