// Writes the conformance vectors of the wire contract into proto/vectors/ (see its README.md).
// Run with `pnpm vectors` after `pnpm build`: the bytes come from this package's own encoder
// (dist/index.js), the JSON from full protobufjs reflection over proto/mmo/v1/*.proto, so a
// client in another language can check its decoder against both. Deterministic: fixed values
// only, so regenerating with an unchanged codec rewrites identical files.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import {
  MessageType,
  ProtocolErrorCode,
  bytesSchema,
  builtinDescriptors,
  createMessageRegistry,
  decodeFrames,
  decodeMessage,
  encodeEnvelope,
  encodeFrame,
  encodeFrameBatch,
  encodeMessageBatch,
  frameLimitsDefaults,
  isProtocolError,
  pb,
} from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const protoRoot = resolve(here, '../../../proto');
const outDir = join(protoRoot, 'vectors');
const protoFiles = readdirSync(join(protoRoot, 'mmo/v1'))
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => `mmo/v1/${f}`);

// Full reflection, independent of the generated static code the encoder uses.
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoRoot, target);
root.loadSync(protoFiles, { keepCase: false });
root.resolveAll();
const NetworkMessage = root.lookupType('mmo.v1.NetworkMessage');

/** Canonical proto3 JSON options: what Google's json_format.MessageToDict prints. */
const JSON_OPTIONS = Object.freeze({ longs: String, enums: String, bytes: String, json: true });

const registry = createMessageRegistry();

// The payload class of each built-in type, read from the registry itself (no second table to drift):
// a protobuf schema decodes empty bytes into an instance of its generated class.
function payloadTypeOf(type) {
  const descriptor = registry.get(type);
  if (descriptor === undefined || descriptor.schema === bytesSchema) return null;
  const instance = registry.unpack(type, new Uint8Array(0));
  const entry = Object.entries(pb).find(([, cls]) => typeof cls === 'function' && instance instanceof cls);
  if (entry === undefined) throw new Error(`no generated class found for payload of type ${type}`);
  return `mmo.v1.${entry[0]}`;
}

/**
 * Guards that keep the JSON exactly comparable across runtimes (each one is a discrepancy between
 * protobufjs toObject and Google's MessageToDict that we avoid by construction, not by patching):
 * - float fields must hold values exact in float32 with at most 6 significant digits: protobufjs
 *   prints the widened double (0.1f -> 0.10000000149011612), Google the shortest form (0.1);
 * - map keys must be written in sorted order so that our insertion-order map encoding equals
 *   Google's deterministic serialization byte for byte;
 * - no -0 (both encoders write it, but JSON.stringify prints -0 as 0 where Python prints -0.0) and
 *   no NaN/Infinity (their bit patterns are not canonical across encoders).
 */
function checkCanonical(type, value, path) {
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    const at = `${path}.${field.name}`;
    if (field.map) {
      const keys = Object.keys(v);
      const sorted = [...keys].sort();
      if (keys.join('\u0000') !== sorted.join('\u0000')) throw new Error(`${at}: write map keys in sorted order`);
      if (field.resolvedType) for (const k of keys) checkCanonical(field.resolvedType, v[k], `${at}[${k}]`);
      continue;
    }
    const items = field.repeated ? v : [v];
    for (const item of items) {
      if (field.resolvedType instanceof protobuf.Type) checkCanonical(field.resolvedType, item, at);
      else if (field.type === 'float' || field.type === 'double') {
        const exact = Number.isFinite(item) && !Object.is(item, -0) && Math.fround(item) === item;
        if (!exact || Number(item.toPrecision(6)) !== item) {
          throw new Error(`${at} = ${item}: use a float32-exact value with <= 6 significant digits`);
        }
      }
    }
  }
}

/** Canonical JSON of `bytes` decoded as `typeName`, through reflection. */
function toCanonicalJson(typeName, bytes) {
  const type = root.lookupType(typeName);
  return type.toObject(type.decode(bytes), JSON_OPTIONS);
}

const utf8 = (text) => new TextEncoder().encode(text);
const bytes = (...values) => Uint8Array.from(values);

// Fixed values: a session on 2023-11-14 22:13:20 UTC.
const T0 = 1_700_000_000_000;
const SESSION = 'sess-7f3a9c';
const RESUME_TOKEN = 'rt.v1.c2Vzcy03ZjNhOWM.q8Xy';

const player42 = {
  playerId: 'player-42',
  position: { x: 12.5, y: 0.25, z: -20.25 },
  rotation: { x: 0, y: 0.5, z: 0, w: 0.875 },
  velocity: { x: 3.5, y: 0, z: -1.25 },
  health: 85,
  maxHealth: 100,
  stateFlags: 0x80000001, // high bit set: a uint32 that does not fit an int32
  lastProcessedInput: 1024,
  timestamp: T0 + 50,
  tick: 5000,
  customState: bytes(0x01, 0xff, 0x00, 0x7f),
  entityId: 7,
};

/**
 * Valid vectors: each is one WebSocket message. A frame's `payload` is an object (packed with the
 * registry as the type's protobuf class), a Uint8Array (raw bytes, no payload class) or absent
 * (empty payload of the type's class).
 */
const valid = [
  {
    name: 'heartbeat',
    description: 'HEARTBEAT (1), volatile, priority 10, client time and RTT estimate.',
    frames: [{ envelope: { type: MessageType.HEARTBEAT, timestamp: T0 + 123, sessionId: SESSION, priority: 10 }, payload: { clientTime: T0 + 123, rttMs: 48 } }],
  },
  {
    name: 'heartbeat-minimal',
    description: 'The smallest message: HEARTBEAT with every envelope field at its default except version and type, empty payload.',
    frames: [{ envelope: { type: MessageType.HEARTBEAT } }],
  },
  {
    name: 'pong',
    description: 'PONG (2): echo of the heartbeat client time plus server time.',
    frames: [{ envelope: { type: MessageType.PONG, timestamp: T0 + 140, sessionId: SESSION, priority: 10 }, payload: { clientTime: T0 + 123, serverTime: T0 + 140 } }],
  },
  {
    name: 'ack',
    description: 'ACK (3) on the reliable stream (sequence 3) acknowledging sequence 41, with a piggy-backed cumulative envelope ack.',
    frames: [{ envelope: { type: MessageType.ACK, sequence: 3, timestamp: T0 + 200, sessionId: SESSION, priority: 9, ack: 41 }, payload: { sequence: 41 } }],
  },
  {
    name: 'error',
    description: 'ERROR (4): retryable RATE_LIMITED (3000) for request 41, with a details map (keys sorted).',
    frames: [
      {
        envelope: { type: MessageType.ERROR, sequence: 4, timestamp: T0 + 210, sessionId: SESSION, priority: 10, ack: 41 },
        payload: { code: 3000, message: 'rate limit exceeded', requestId: '41', retryable: true, details: { limit: '20/s', retry_after_ms: '500' } },
      },
    ],
  },
  {
    name: 'handshake',
    description: 'HANDSHAKE (5) asking to resume a session: protocol version, client version, resume token and last received sequence.',
    frames: [
      {
        envelope: { type: MessageType.HANDSHAKE, timestamp: T0, priority: 10 },
        payload: { protocolVersion: 1, clientVersion: '@mmo/client 0.1.0', resumeToken: RESUME_TOKEN, lastReceivedSequence: 17 },
      },
    ],
  },
  {
    name: 'handshake-fresh',
    description: 'HANDSHAKE (5) with an empty payload: a valid fresh-session handshake.',
    frames: [{ envelope: { type: MessageType.HANDSHAKE, timestamp: T0, priority: 10 } }],
  },
  {
    name: 'connection-established',
    description: 'CONNECTION_ESTABLISHED (6) for a resumed session: feature flags, heartbeat interval, new resume token.',
    frames: [
      {
        envelope: { type: MessageType.CONNECTION_ESTABLISHED, timestamp: T0 + 5, sessionId: SESSION, priority: 10 },
        payload: {
          sessionId: SESSION,
          serverVersion: '0.1.0',
          serverTime: T0 + 5,
          heartbeatIntervalMs: 15000,
          featureFlags: ['delta-compression', 'resume', 'time-sync'],
          resumeToken: RESUME_TOKEN,
          resumed: true,
        },
      },
    ],
  },
  {
    name: 'auth-result',
    description: 'AUTH_RESULT (7), success with expiry and permissions.',
    frames: [
      {
        envelope: { type: MessageType.AUTH_RESULT, timestamp: T0 + 6, sessionId: SESSION, priority: 10 },
        payload: { success: true, userId: 'user-42', expiresAt: T0 + 3_600_000, permissions: ['chat', 'trade'] },
      },
    ],
  },
  {
    name: 'auth-result-failure',
    description: 'AUTH_RESULT (7), failure: success is false (a default, so absent from the JSON) and an error message.',
    frames: [{ envelope: { type: MessageType.AUTH_RESULT, timestamp: T0 + 6, priority: 10 }, payload: { success: false, errorMessage: 'token expired' } }],
  },
  {
    name: 'disconnect',
    description: 'DISCONNECT (8): server draining (4012), reconnect after 5000 ms.',
    frames: [
      {
        envelope: { type: MessageType.DISCONNECT, timestamp: T0 + 900_000, sessionId: SESSION, priority: 10 },
        payload: { code: 4012, reason: 'server draining', reconnect: true, retryAfterMs: 5000 },
      },
    ],
  },
  {
    name: 'player-move',
    description: 'PLAYER_MOVE (100), volatile input: position (a zero y is omitted), rotation, velocity, direction, flags and packed bytes.',
    frames: [
      {
        envelope: { type: MessageType.PLAYER_MOVE, timestamp: T0 + 1000, sessionId: SESSION, priority: 7, ack: 41 },
        payload: {
          playerId: 'player-42',
          position: { x: 12.5, y: 0, z: -20.25 },
          rotation: { x: 0, y: 0.5, z: 0, w: 0.875 },
          velocity: { x: 3.5, y: 0, z: -1.25 },
          timestamp: T0 + 1000,
          inputTick: 1024,
          direction: { x: 0.75, y: 0, z: -0.5 },
          inputFlags: 5,
          packed: bytes(0x0a, 0x00, 0x10, 0xff, 0x80),
        },
      },
    ],
  },
  {
    name: 'player-action',
    description: 'PLAYER_ACTION (101), reliable with requires_ack: target, target position and a parameters map.',
    frames: [
      {
        envelope: { type: MessageType.PLAYER_ACTION, sequence: 5, timestamp: T0 + 1100, sessionId: SESSION, requiresAck: true, priority: 9, ack: 41 },
        payload: {
          playerId: 'player-42',
          actionType: 'interact',
          targetId: 'chest-7',
          targetPosition: { x: 10, y: 1.5, z: -4 },
          parameters: { mode: 'open', slot: '3' },
          timestamp: T0 + 1100,
          inputTick: 1030,
        },
      },
    ],
  },
  {
    name: 'player-state',
    description: 'PLAYER_STATE (102): full PlayerStateUpdate, state flags with the uint32 high bit set, custom state bytes.',
    frames: [{ envelope: { type: MessageType.PLAYER_STATE, timestamp: T0 + 50, sessionId: SESSION, priority: 7 }, payload: player42 }],
  },
  {
    name: 'player-status-change',
    description: 'PLAYER_STATUS_CHANGE (103): AWAY with a UTF-8 (non-ASCII) status message.',
    frames: [
      {
        envelope: { type: MessageType.PLAYER_STATUS_CHANGE, sequence: 6, timestamp: T0 + 1200, sessionId: SESSION, priority: 3 },
        payload: { playerId: 'player-42', status: 2, zoneId: 'zone-1', statusMessage: 'brb — café ☕ 🐉', timestamp: T0 + 1200 },
      },
    ],
  },
  {
    name: 'player-state-delta',
    description: 'PLAYER_STATE_DELTA (104): changed-fields mask and bit-packed data against base tick 4990.',
    frames: [
      {
        envelope: { type: MessageType.PLAYER_STATE_DELTA, timestamp: T0 + 100, sessionId: SESSION, priority: 5 },
        payload: { playerId: 'player-42', baseTick: 4990, deltaTick: 5000, changedFields: 0b1011, packedData: bytes(0x9c, 0x41, 0x00, 0xe7, 0x03), entityId: 7 },
      },
    ],
  },
  {
    name: 'world-state',
    description:
      'WORLD_STATE (200): full snapshot with three players (one at the origin: an empty but present Vector3, one with only ids), two NPCs, one object and the environment.',
    frames: [
      {
        envelope: { type: MessageType.WORLD_STATE, timestamp: T0 + 50, sessionId: SESSION, priority: 7, ack: 41 },
        payload: {
          tick: 5000,
          timestamp: T0 + 50,
          zoneId: 'zone-1',
          players: [
            player42,
            { playerId: 'player-43', position: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 }, health: 100, maxHealth: 100, tick: 5000, entityId: 8 },
            { playerId: 'player-44', entityId: 9 },
          ],
          npcs: [
            {
              npcId: 'npc-wolf-3',
              npcType: 'wolf',
              position: { x: -100.5, y: 2, z: 64.125 },
              rotation: { x: 0, y: -0.5, z: 0, w: 0.875 },
              velocity: { x: -2, y: 0, z: 1 },
              health: 40,
              stateFlags: 2,
              targetId: 'player-42',
              entityId: 1003,
            },
            { npcId: 'npc-merchant-1', npcType: 'merchant', position: { x: 5, y: 0, z: 5 }, health: 1000, entityId: 1004 },
          ],
          objects: [
            {
              objectId: 'chest-7',
              objectType: 'chest',
              position: { x: 10, y: 1.5, z: -4 },
              rotation: { x: 0, y: 0, z: 0, w: 1 },
              stateFlags: 1,
              customState: bytes(0x02),
              entityId: 2001,
            },
          ],
          environment: { timeOfDay: 18.5, weather: 'rain', properties: { fog: '0.25', wind: 'north' } },
          lastProcessedInput: 1024,
        },
      },
    ],
  },
  {
    name: 'zone-update',
    description: 'ZONE_UPDATE (201): zone bounds with negative corners, tick rate and the own entity id.',
    frames: [
      {
        envelope: { type: MessageType.ZONE_UPDATE, sequence: 1, timestamp: T0 + 7, sessionId: SESSION, priority: 7 },
        payload: {
          zoneId: 'zone-1',
          zoneName: 'Harbor District',
          playerCount: 37,
          boundsMin: { x: -512, y: -64, z: -512 },
          boundsMax: { x: 512, y: 256, z: 512 },
          tickRate: 20,
          selfEntityId: 7,
        },
      },
    ],
  },
  {
    name: 'time-sync',
    description: 'TIME_SYNC (202): the server reply with its receive and send times, tick and tick rate.',
    frames: [
      {
        envelope: { type: MessageType.TIME_SYNC, timestamp: T0 + 302, sessionId: SESSION, priority: 10 },
        payload: { clientTime: T0 + 290, serverReceiveTime: T0 + 301, serverSendTime: T0 + 302, serverTick: 5006, tickRate: 20 },
      },
    ],
  },
  {
    name: 'npc-state',
    description: 'NPC_STATE (203): an NPC with negative health (an int32 below zero is a 10-byte varint).',
    frames: [
      {
        envelope: { type: MessageType.NPC_STATE, timestamp: T0 + 50, sessionId: SESSION, priority: 5 },
        payload: {
          npcId: 'npc-wolf-3',
          npcType: 'wolf',
          position: { x: -100.5, y: 2, z: 64.125 },
          rotation: { x: 0, y: -0.5, z: 0, w: 0.875 },
          velocity: { x: -2, y: 0, z: 1 },
          health: -5,
          stateFlags: 6,
          targetId: 'player-42',
          entityId: 1003,
        },
      },
    ],
  },
  {
    name: 'object-state',
    description: 'OBJECT_STATE (204): a world object with custom state bytes.',
    frames: [
      {
        envelope: { type: MessageType.OBJECT_STATE, timestamp: T0 + 50, sessionId: SESSION, priority: 5 },
        payload: {
          objectId: 'chest-7',
          objectType: 'chest',
          position: { x: 10, y: 1.5, z: -4 },
          rotation: { x: 0, y: 0, z: 0, w: 1 },
          stateFlags: 3,
          customState: bytes(0x02, 0x00, 0x00, 0x10),
          entityId: 2001,
        },
      },
    ],
  },
  {
    name: 'environment-state',
    description: 'ENVIRONMENT_STATE (205): time of day, weather and a properties map.',
    frames: [
      {
        envelope: { type: MessageType.ENVIRONMENT_STATE, timestamp: T0 + 60_000, sessionId: SESSION, priority: 3 },
        payload: { timeOfDay: 6.25, weather: 'clear', properties: { season: 'winter', visibility: '0.75' } },
      },
    ],
  },
  {
    name: 'entity-spawn',
    description: 'ENTITY_SPAWN (206): an NPC entered the view (enum kind by name).',
    frames: [
      {
        envelope: { type: MessageType.ENTITY_SPAWN, timestamp: T0 + 50, sessionId: SESSION, priority: 7 },
        payload: {
          entityId: 1003,
          kind: 2,
          externalId: 'npc-wolf-3',
          entityType: 'wolf',
          position: { x: -100.5, y: 2, z: 64.125 },
          rotation: { x: 0, y: -0.5, z: 0, w: 0.875 },
          velocity: { x: -2, y: 0, z: 1 },
          customState: bytes(0x05, 0x01),
          tick: 5000,
        },
      },
    ],
  },
  {
    name: 'entity-update',
    description: 'ENTITY_UPDATE (207): full plain-protobuf state of one entity.',
    frames: [
      {
        envelope: { type: MessageType.ENTITY_UPDATE, timestamp: T0 + 100, sessionId: SESSION, priority: 5 },
        payload: {
          entityId: 1003,
          tick: 5002,
          position: { x: -101.5, y: 2, z: 64.625 },
          rotation: { x: 0, y: -0.5, z: 0, w: 0.875 },
          velocity: { x: -2, y: 0, z: 1 },
          stateFlags: 6,
          customState: bytes(0x05, 0x02),
        },
      },
    ],
  },
  {
    name: 'entity-despawn',
    description: 'ENTITY_DESPAWN (208): entity destroyed with a reason.',
    frames: [{ envelope: { type: MessageType.ENTITY_DESPAWN, timestamp: T0 + 150, sessionId: SESSION, priority: 7 }, payload: { entityId: 1003, reason: 'killed' } }],
  },
  {
    name: 'interest-update',
    description: 'INTEREST_UPDATE (209): packed repeated uint32 of entered (one above 2^16) and exited entity ids.',
    frames: [
      {
        envelope: { type: MessageType.INTEREST_UPDATE, timestamp: T0 + 100, sessionId: SESSION, priority: 7 },
        payload: { tick: 5002, entered: [7, 1003, 2001, 300000], exited: [12, 13] },
      },
    ],
  },
  {
    name: 'world-delta',
    description: 'WORLD_DELTA (210): two entity deltas, a removed id, last processed input and a packed stream.',
    frames: [
      {
        envelope: { type: MessageType.WORLD_DELTA, timestamp: T0 + 100, sessionId: SESSION, priority: 5, ack: 41 },
        payload: {
          tick: 5002,
          baseTick: 4990,
          timestamp: T0 + 100,
          entities: [
            { playerId: 'player-43', baseTick: 4990, deltaTick: 5002, changedFields: 1, packedData: bytes(0x10, 0x20), entityId: 8 },
            { baseTick: 4990, deltaTick: 5002, changedFields: 0x21, packedData: bytes(0xff), entityId: 1003 },
          ],
          removed: [12],
          lastProcessedInput: 1031,
          packed: bytes(0x00, 0x01, 0x02, 0x03, 0xfe),
        },
      },
    ],
  },
  {
    name: 'presence-update',
    description: 'PRESENCE_UPDATE (300): a user online in a zone on gateway node gw-1.',
    frames: [
      {
        envelope: { type: MessageType.PRESENCE_UPDATE, sequence: 7, timestamp: T0 + 2000, sessionId: SESSION, priority: 3 },
        payload: { userId: 'user-43', status: 1, zoneId: 'zone-1', statusMessage: 'questing', lastSeen: T0 + 2000, nodeId: 'gw-1' },
      },
    ],
  },
  {
    name: 'friend-status',
    description: 'FRIEND_STATUS (301): a friend went IN_GAME.',
    frames: [
      {
        envelope: { type: MessageType.FRIEND_STATUS, sequence: 8, timestamp: T0 + 2100, sessionId: SESSION, priority: 3 },
        payload: { userId: 'user-42', friendId: 'user-43', status: 4, zoneId: 'zone-1', timestamp: T0 + 2100, statusMessage: 'raid night' },
      },
    ],
  },
  {
    name: 'friend-list',
    description: 'FRIEND_LIST (302): three friends, one offline with last seen, one with only a user id.',
    frames: [
      {
        envelope: { type: MessageType.FRIEND_LIST, sequence: 2, timestamp: T0 + 8, sessionId: SESSION, priority: 3 },
        payload: {
          friends: [
            { userId: 'user-43', status: 1, zoneId: 'zone-1', nodeId: 'gw-1', lastSeen: T0 },
            { userId: 'user-44', status: 5, lastSeen: T0 - 86_400_000 },
            { userId: 'user-45' },
          ],
        },
      },
    ],
  },
  {
    name: 'reserved-combat-action',
    description: 'COMBAT_ACTION (400), a reserved gameplay type: raw payload bytes with no built-in schema (payloadType null).',
    frames: [
      {
        envelope: { type: MessageType.COMBAT_ACTION, sequence: 9, timestamp: T0 + 3000, sessionId: SESSION, priority: 9 },
        payload: bytes(0xde, 0xad, 0xbe, 0xef, 0x00, 0x01),
      },
    ],
  },
  {
    name: 'custom-type-1000',
    description: 'Custom type 1000 (not in the MessageType enum: JSON prints the number), a game-defined UTF-8 JSON payload.',
    frames: [
      {
        envelope: { type: 1000, sequence: 10, timestamp: T0 + 3100, sessionId: SESSION, priority: 5 },
        payload: utf8('{"emote":"wave"}'),
      },
    ],
  },
  {
    name: 'reliable-large-sequence',
    description: 'A reliable PLAYER_ACTION with sequence 2^53-1 and ack 2^53-2 (uint64 as JSON strings), requires_ack.',
    frames: [
      {
        envelope: {
          type: MessageType.PLAYER_ACTION,
          sequence: Number.MAX_SAFE_INTEGER,
          timestamp: T0 + 4000,
          sessionId: SESSION,
          requiresAck: true,
          priority: 9,
          ack: Number.MAX_SAFE_INTEGER - 1,
        },
        payload: { playerId: 'player-42', actionType: 'emote', parameters: { name: 'wave' }, inputTick: 4294967295 },
      },
    ],
  },
  {
    name: 'batch-three-frames',
    description: 'Three frames in one WebSocket message: a volatile delta, a time sync and a reliable ACK.',
    frames: [
      {
        envelope: { type: MessageType.PLAYER_STATE_DELTA, timestamp: T0 + 150, sessionId: SESSION, priority: 5 },
        payload: { playerId: 'player-43', baseTick: 5000, deltaTick: 5003, changedFields: 2, packedData: bytes(0x44), entityId: 8 },
      },
      {
        envelope: { type: MessageType.TIME_SYNC, timestamp: T0 + 150, sessionId: SESSION, priority: 10 },
        payload: { clientTime: T0 + 140, serverReceiveTime: T0 + 149, serverSendTime: T0 + 150, serverTick: 5003, tickRate: 20 },
      },
      {
        envelope: { type: MessageType.ACK, sequence: 11, timestamp: T0 + 150, sessionId: SESSION, priority: 9, ack: 42 },
        payload: { sequence: 42 },
      },
    ],
  },
];

// Envelope bytes used by the invalid vectors.
const heartbeatBody = encodeEnvelope({ type: MessageType.HEARTBEAT, timestamp: T0, sessionId: SESSION });
const heartbeatFrame = encodeFrame(heartbeatBody);
const withHeader = (body, { magic = 0x4d4d, version = 1, length = body.length } = {}) => {
  const out = new Uint8Array(8 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, magic);
  view.setUint16(2, version);
  view.setUint32(4, length);
  out.set(body, 8);
  return out;
};
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Invalid vectors: bytes a decoder must refuse with `error` (under `limits`, when given). */
const invalid = [
  {
    name: 'bad-magic',
    description: 'A JSON text sent instead of a frame: magic 0x7B22 is not 0x4D4D.',
    error: ProtocolErrorCode.BAD_MAGIC,
    bytes: utf8('{"type":1,"payload":""}'),
  },
  {
    name: 'bad-magic-second-frame',
    description: 'A valid frame followed by a frame with magic 0x4D4E: the whole message is refused.',
    error: ProtocolErrorCode.BAD_MAGIC,
    bytes: concat(heartbeatFrame, withHeader(heartbeatBody, { magic: 0x4d4e })),
  },
  {
    name: 'unsupported-version',
    description: 'Frame header version 2 around a valid envelope.',
    error: ProtocolErrorCode.UNSUPPORTED_VERSION,
    bytes: withHeader(heartbeatBody, { version: 2 }),
  },
  {
    name: 'truncated-header',
    description: 'Five bytes: a message shorter than one frame header.',
    error: ProtocolErrorCode.TRUNCATED_FRAME,
    bytes: heartbeatFrame.slice(0, 5),
  },
  {
    name: 'truncated-body',
    description: 'The header announces more body bytes than follow (last 3 bytes cut).',
    error: ProtocolErrorCode.TRUNCATED_FRAME,
    bytes: heartbeatFrame.slice(0, heartbeatFrame.length - 3),
  },
  {
    name: 'trailing-bytes',
    description: 'A valid frame followed by 3 bytes that cannot hold another frame header.',
    error: ProtocolErrorCode.TRAILING_BYTES,
    bytes: concat(heartbeatFrame, bytes(0x4d, 0x4d, 0x00)),
  },
  {
    name: 'frame-too-large',
    description: 'A valid frame with a 93-byte body refused under a 64-byte frame limit (maxFrameBytes counts body bytes, not the 8-byte header).',
    error: ProtocolErrorCode.FRAME_TOO_LARGE,
    limits: { maxFrameBytes: 64 },
    bytes: encodeMessageBatch([{ type: MessageType.HEARTBEAT, timestamp: T0, sessionId: 's'.repeat(80) }]),
  },
  {
    name: 'frame-length-hostile',
    description: 'A header announcing 0xFFFFFFFF bytes with no body: refused as too large (default 1 MiB limit) before any truncation check.',
    error: ProtocolErrorCode.FRAME_TOO_LARGE,
    bytes: withHeader(new Uint8Array(0), { length: 0xffffffff }),
  },
  {
    name: 'empty-message',
    description: 'A WebSocket binary message with no bytes.',
    error: ProtocolErrorCode.EMPTY_MESSAGE,
    bytes: new Uint8Array(0),
  },
  {
    name: 'too-many-frames',
    description: 'Three valid frames in one message under a limit of 2 frames per message.',
    error: ProtocolErrorCode.TOO_MANY_FRAMES,
    limits: { maxFramesPerMessage: 2 },
    bytes: encodeFrameBatch([heartbeatBody, heartbeatBody, heartbeatBody]),
  },
  {
    name: 'envelope-invalid-wire-type',
    description: 'Envelope is not protobuf: tag 0x0F has wire type 7.',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(bytes(0x0f, 0x01)),
  },
  {
    name: 'envelope-truncated-field',
    description: 'Envelope is not protobuf: session_id announces 5 bytes, 2 follow.',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(bytes(0x28, 0x01, 0x22, 0x05, 0x61, 0x62)),
  },
  {
    name: 'envelope-invalid-utf8',
    description: 'Envelope session_id (a proto3 string) holds invalid UTF-8 (0xC3 0x28).',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(concat(pb.NetworkMessage.encode({ version: 1, type: MessageType.HEARTBEAT }).finish(), bytes(0x22, 0x02, 0xc3, 0x28))),
  },
  {
    name: 'envelope-type-zero',
    description: 'Envelope without a type (MESSAGE_TYPE_UNSPECIFIED = 0).',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(pb.NetworkMessage.encode({ version: 1, timestamp: T0, sessionId: SESSION }).finish()),
  },
  {
    name: 'envelope-priority-11',
    description: 'Envelope priority 11, above the maximum of 10.',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(pb.NetworkMessage.encode({ version: 1, type: MessageType.HEARTBEAT, priority: 11 }).finish()),
  },
  {
    name: 'envelope-version-2',
    description: 'Frame version 1 but envelope version 2 (envelope version must be 1, or 0/absent meaning 1).',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: withHeader(pb.NetworkMessage.encode({ version: 2, type: MessageType.HEARTBEAT }).finish()),
  },
  {
    name: 'envelope-malformed-second-frame',
    description: 'A valid frame followed by one whose envelope is not protobuf: the whole message is refused.',
    error: ProtocolErrorCode.MALFORMED_ENVELOPE,
    bytes: concat(heartbeatFrame, withHeader(bytes(0x0f))),
  },
];

// --- build, self-check, write --------------------------------------------------------------

const typeName = (type) => {
  const entry = Object.entries(MessageType).find(([, n]) => n === type);
  return entry === undefined ? String(type) : entry[0];
};

function buildValid(vector) {
  const inits = vector.frames.map(({ envelope, payload }) => {
    const payloadType = payload instanceof Uint8Array ? null : payloadTypeOf(envelope.type);
    if (payload instanceof Uint8Array) return { init: { ...envelope, payload }, payloadType };
    if (payloadType === null) throw new Error(`${vector.name}: type ${envelope.type} has no payload class; pass raw bytes`);
    const value = payload ?? {};
    checkCanonical(root.lookupType(payloadType), value, `${vector.name}.payload`);
    const packed = registry.pack(envelope.type, value);
    return { init: { ...envelope, payload: packed }, payloadType };
  });
  const bin = encodeMessageBatch(inits.map((f) => f.init));
  const frames = decodeFrames(bin).map((frame, i) => {
    const envelope = toCanonicalJson('mmo.v1.NetworkMessage', frame.body);
    const { payloadType } = inits[i];
    const payloadBytes = NetworkMessage.decode(frame.body).payload;
    return { version: frame.version, envelope, payloadType, payload: payloadType === null ? null : toCanonicalJson(payloadType, payloadBytes) };
  });
  // Self-check: our decoder accepts what our encoder wrote.
  const decoded = decodeMessage(bin);
  if (decoded.length !== frames.length) throw new Error(`${vector.name}: decoded ${decoded.length} of ${frames.length} frames`);
  return { bin, json: { description: vector.description, frames } };
}

function buildInvalid(vector) {
  try {
    decodeMessage(vector.bytes, vector.limits);
  } catch (error) {
    if (!isProtocolError(error, vector.error)) {
      throw new Error(`${vector.name}: expected ${vector.error}, got ${error?.code ?? error}`);
    }
    const json = { description: vector.description, error: vector.error };
    if (vector.limits !== undefined) json.limits = vector.limits;
    return { bin: vector.bytes, json };
  }
  throw new Error(`${vector.name}: expected ${vector.error}, but the message decoded`);
}

function checkNames(list) {
  const seen = new Set();
  for (const { name } of list) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name) || seen.has(name)) throw new Error(`bad or duplicate vector name ${name}`);
    seen.add(name);
  }
}
checkNames(valid);
checkNames(invalid);

// Every built-in type with a protobuf payload needs a vector (the test checks the same on disk).
const covered = new Set(valid.flatMap((v) => v.frames.map((f) => f.envelope.type)));
const missing = builtinDescriptors.filter((d) => d.schema !== bytesSchema && !covered.has(d.type)).map((d) => d.name);
if (missing.length > 0) throw new Error(`no vector for built-in type(s) ${missing.join(', ')}`);

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const built = {
  valid: valid.map((v) => ({ name: v.name, ...buildValid(v), types: v.frames.map((f) => typeName(f.envelope.type)) })),
  invalid: invalid.map((v) => ({ name: v.name, ...buildInvalid(v) })),
};

for (const kind of ['valid', 'invalid']) {
  // Start clean so a renamed or removed vector leaves no stale file behind.
  rmSync(join(outDir, kind), { recursive: true, force: true });
  mkdirSync(join(outDir, kind), { recursive: true });
  for (const v of built[kind]) {
    writeFileSync(join(outDir, kind, `${v.name}.bin`), v.bin);
    writeFileSync(join(outDir, kind, `${v.name}.json`), json(v.json));
  }
}

const manifest = {
  description: 'Conformance vectors of the @mmo wire contract (mmo.v1). See README.md. Generated by packages/protocol/scripts/write-vectors.mjs; do not edit.',
  frameFormat: 'magic u16 0x4D4D | version u16 1 | length u32 big-endian | NetworkMessage bytes; one message = one or more frames back to back',
  protoFiles: protoFiles.map((f) => `proto/${f}`),
  defaultLimits: { ...frameLimitsDefaults, acceptedVersions: [...frameLimitsDefaults.acceptedVersions] },
  valid: built.valid.map((v) => ({
    name: v.name,
    bin: `valid/${v.name}.bin`,
    json: `valid/${v.name}.json`,
    bytes: v.bin.length,
    types: v.types,
  })),
  invalid: built.invalid.map((v) => ({
    name: v.name,
    bin: `invalid/${v.name}.bin`,
    json: `invalid/${v.name}.json`,
    bytes: v.bin.length,
    error: v.json.error,
  })),
};
writeFileSync(join(outDir, 'manifest.json'), json(manifest));
console.log(`wrote ${built.valid.length} valid and ${built.invalid.length} invalid vectors to ${outDir}`);
