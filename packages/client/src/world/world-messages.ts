/**
 * Reading the decoded payloads of the world messages (as the registry's `unpack` returns them, or
 * hand-built objects with the same fields) into checked plain values. A field of the wrong type
 * throws `ProtocolError` `MALFORMED_PAYLOAD`; a missing one takes its proto3 default.
 */
import { type mmo, ProtocolError, ProtocolErrorCode, type QuaternionLike, type Vector3Like } from '@mmo/protocol';
import type { WorldCorrectionEvent, WorldEntityKind } from './world-events.js';

/** INTEREST_UPDATE (209). */
export interface InterestChange {
  tick: number;
  entered: number[];
  exited: number[];
}

/** One entry of a WORLD_STATE list: who an entity is (its motion comes from the WORLD_DELTA). */
export interface SnapshotEntry {
  entityId: number;
  kind: WorldEntityKind;
  externalId: string;
  entityType: string;
  health: number;
  maxHealth: number;
  targetId: string;
  customState: Uint8Array;
}

/** WORLD_STATE (200). */
export interface SnapshotContent {
  tick: number;
  zoneId: string;
  entries: SnapshotEntry[];
}

/** WORLD_DELTA (210). */
export interface DeltaContent {
  tick: number;
  serverTimeMs: number;
  lastProcessedInput: number;
  packed: Uint8Array;
}

const EMPTY_BYTES = new Uint8Array(0);
const IDENTITY: QuaternionLike = Object.freeze({ x: 0, y: 0, z: 0, w: 1 });
const UINT32_MAX = 0xffffffff;

function malformed(detail: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.MALFORMED_PAYLOAD, detail);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw malformed(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function uint32(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw malformed(`${what} must be a uint32, got ${String(value)}`);
  }
  return value;
}

function int(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw malformed(`${what} must be an integer, got ${String(value)}`);
  return value;
}

function text(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw malformed(`${what} must be a string`);
  return value;
}

function bytes(value: unknown, what: string): Uint8Array {
  if (value === undefined || value === null) return EMPTY_BYTES;
  if (!(value instanceof Uint8Array)) throw malformed(`${what} must be bytes`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${what} must be a list`);
  return value;
}

function ids(value: unknown, what: string): number[] {
  return list(value, what).map((id, i) => {
    const n = uint32(id, `${what}[${i}]`);
    if (n === 0) throw malformed(`${what}[${i}] is 0, which is no entity id`);
    return n;
  });
}

function vector(value: unknown, what: string): Vector3Like {
  if (value === undefined || value === null) return { x: 0, y: 0, z: 0 };
  const v = record(value, what);
  const component = (c: unknown): number => (c === undefined || c === null ? 0 : typeof c === 'number' ? c : Number.NaN);
  const out = { x: component(v['x']), y: component(v['y']), z: component(v['z']) };
  if (!Number.isFinite(out.x) || !Number.isFinite(out.y) || !Number.isFinite(out.z)) throw malformed(`${what} must hold finite numbers`);
  return out;
}

function quaternion(value: unknown, what: string): QuaternionLike {
  if (value === undefined || value === null) return { ...IDENTITY };
  const q = record(value, what);
  const w = q['w'] === undefined || q['w'] === null ? 0 : q['w'];
  const xyz = vector(q, what);
  if (typeof w !== 'number' || !Number.isFinite(w)) throw malformed(`${what}.w must be a finite number`);
  return { ...xyz, w };
}

/** Reads INTEREST_UPDATE. */
export function readInterestUpdate(payload: unknown): InterestChange {
  const p = record(payload, 'INTEREST_UPDATE') as mmo.v1.InterestUpdate.$Properties;
  return { tick: uint32(p.tick, 'tick'), entered: ids(p.entered, 'entered'), exited: ids(p.exited, 'exited') };
}

/** Reads WORLD_STATE: players, NPCs and objects in one list of entries. */
export function readSnapshot(payload: unknown): SnapshotContent {
  const p = record(payload, 'WORLD_STATE') as mmo.v1.WorldStateSnapshot.$Properties;
  const entries: SnapshotEntry[] = [];
  list(p.players, 'players').forEach((raw, i) => {
    const e = record(raw, `players[${i}]`) as mmo.v1.PlayerStateUpdate.$Properties;
    entries.push({
      entityId: uint32(e.entityId, `players[${i}].entityId`),
      kind: 'player',
      externalId: text(e.playerId, `players[${i}].playerId`),
      entityType: 'player',
      health: int(e.health, `players[${i}].health`),
      maxHealth: int(e.maxHealth, `players[${i}].maxHealth`),
      targetId: '',
      customState: bytes(e.customState, `players[${i}].customState`),
    });
  });
  list(p.npcs, 'npcs').forEach((raw, i) => {
    const e = record(raw, `npcs[${i}]`) as mmo.v1.NPCStateUpdate.$Properties;
    entries.push({
      entityId: uint32(e.entityId, `npcs[${i}].entityId`),
      kind: 'npc',
      externalId: text(e.npcId, `npcs[${i}].npcId`),
      entityType: text(e.npcType, `npcs[${i}].npcType`),
      health: int(e.health, `npcs[${i}].health`),
      maxHealth: 0,
      targetId: text(e.targetId, `npcs[${i}].targetId`),
      customState: EMPTY_BYTES,
    });
  });
  list(p.objects, 'objects').forEach((raw, i) => {
    const e = record(raw, `objects[${i}]`) as mmo.v1.ObjectStateUpdate.$Properties;
    entries.push({
      entityId: uint32(e.entityId, `objects[${i}].entityId`),
      kind: 'object',
      externalId: text(e.objectId, `objects[${i}].objectId`),
      entityType: text(e.objectType, `objects[${i}].objectType`),
      health: 0,
      maxHealth: 0,
      targetId: '',
      customState: bytes(e.customState, `objects[${i}].customState`),
    });
  });
  return { tick: uint32(p.tick, 'tick'), zoneId: text(p.zoneId, 'zoneId'), entries };
}

/** Reads WORLD_DELTA (its `packed` bytes are read by the model). */
export function readDelta(payload: unknown): DeltaContent {
  const p = record(payload, 'WORLD_DELTA') as mmo.v1.WorldStateDelta.$Properties;
  return {
    tick: uint32(p.tick, 'tick'),
    serverTimeMs: int(p.timestamp, 'timestamp'),
    lastProcessedInput: uint32(p.lastProcessedInput, 'lastProcessedInput'),
    packed: bytes(p.packed, 'packed'),
  };
}

/** Reads PLAYER_STATE into a correction event. */
export function readCorrection(payload: unknown): WorldCorrectionEvent {
  const p = record(payload, 'PLAYER_STATE') as mmo.v1.PlayerStateUpdate.$Properties;
  return {
    playerId: text(p.playerId, 'playerId'),
    entityId: uint32(p.entityId, 'entityId'),
    position: vector(p.position, 'position'),
    rotation: quaternion(p.rotation, 'rotation'),
    velocity: vector(p.velocity, 'velocity'),
    flags: uint32(p.stateFlags, 'stateFlags') & 0xff,
    health: int(p.health, 'health'),
    maxHealth: int(p.maxHealth, 'maxHealth'),
    lastProcessedInput: uint32(p.lastProcessedInput, 'lastProcessedInput'),
    tick: uint32(p.tick, 'tick'),
    serverTimeMs: int(p.timestamp, 'timestamp'),
  };
}
