import { MessageType, Priority } from '../codes.js';
import { mmo } from '../gen/mmo.js';
import type { MessageDescriptor } from './descriptor.js';
import { worldDeltaSchema } from '../state/world-delta-payload.js';
import { bytesSchema, reusingProtobufSchema } from './schema.js';

const v1 = mmo.v1;

/** Decoded payload type of each built-in message type. */
export interface BuiltinPayloads {
  [MessageType.HEARTBEAT]: mmo.v1.Heartbeat;
  [MessageType.PONG]: mmo.v1.Pong;
  [MessageType.ACK]: mmo.v1.Ack;
  [MessageType.ERROR]: mmo.v1.ErrorNotification;
  [MessageType.HANDSHAKE]: mmo.v1.Handshake;
  [MessageType.CONNECTION_ESTABLISHED]: mmo.v1.ConnectionEstablished;
  [MessageType.AUTH_RESULT]: mmo.v1.AuthenticationResult;
  [MessageType.DISCONNECT]: mmo.v1.Disconnect;
  [MessageType.PLAYER_MOVE]: mmo.v1.PlayerMovement;
  [MessageType.PLAYER_ACTION]: mmo.v1.PlayerAction;
  [MessageType.PLAYER_STATE]: mmo.v1.PlayerStateUpdate;
  [MessageType.PLAYER_STATUS_CHANGE]: mmo.v1.PlayerStatusChange;
  [MessageType.PLAYER_STATE_DELTA]: mmo.v1.PlayerStateDelta;
  [MessageType.WORLD_STATE]: mmo.v1.WorldStateSnapshot;
  [MessageType.ZONE_UPDATE]: mmo.v1.ZoneUpdate;
  [MessageType.TIME_SYNC]: mmo.v1.TimeSync;
  [MessageType.NPC_STATE]: mmo.v1.NPCStateUpdate;
  [MessageType.OBJECT_STATE]: mmo.v1.ObjectStateUpdate;
  [MessageType.ENVIRONMENT_STATE]: mmo.v1.EnvironmentState;
  [MessageType.ENTITY_SPAWN]: mmo.v1.EntitySpawn;
  [MessageType.ENTITY_UPDATE]: mmo.v1.EntityUpdate;
  [MessageType.ENTITY_DESPAWN]: mmo.v1.EntityDespawn;
  [MessageType.INTEREST_UPDATE]: mmo.v1.InterestUpdate;
  [MessageType.WORLD_DELTA]: mmo.v1.WorldStateDelta;
  [MessageType.PRESENCE_UPDATE]: mmo.v1.PresenceUpdate;
  [MessageType.FRIEND_STATUS]: mmo.v1.FriendStatus;
  [MessageType.FRIEND_LIST]: mmo.v1.FriendList;
  [MessageType.COMBAT_ACTION]: Uint8Array;
  [MessageType.SKILL_CAST]: Uint8Array;
  [MessageType.ITEM_USE]: Uint8Array;
  [MessageType.TRADE_EVENT]: Uint8Array;
  [MessageType.CHAT_MESSAGE]: Uint8Array;
  [MessageType.QUEST_UPDATE]: Uint8Array;
  [MessageType.GUILD_EVENT]: Uint8Array;
}

/** Payload fields accepted when packing each built-in type (all optional, proto3 defaults). */
export interface BuiltinPayloadInits {
  [MessageType.HEARTBEAT]: mmo.v1.Heartbeat.$Properties;
  [MessageType.PONG]: mmo.v1.Pong.$Properties;
  [MessageType.ACK]: mmo.v1.Ack.$Properties;
  [MessageType.ERROR]: mmo.v1.ErrorNotification.$Properties;
  [MessageType.HANDSHAKE]: mmo.v1.Handshake.$Properties;
  [MessageType.CONNECTION_ESTABLISHED]: mmo.v1.ConnectionEstablished.$Properties;
  [MessageType.AUTH_RESULT]: mmo.v1.AuthenticationResult.$Properties;
  [MessageType.DISCONNECT]: mmo.v1.Disconnect.$Properties;
  [MessageType.PLAYER_MOVE]: mmo.v1.PlayerMovement.$Properties;
  [MessageType.PLAYER_ACTION]: mmo.v1.PlayerAction.$Properties;
  [MessageType.PLAYER_STATE]: mmo.v1.PlayerStateUpdate.$Properties;
  [MessageType.PLAYER_STATUS_CHANGE]: mmo.v1.PlayerStatusChange.$Properties;
  [MessageType.PLAYER_STATE_DELTA]: mmo.v1.PlayerStateDelta.$Properties;
  [MessageType.WORLD_STATE]: mmo.v1.WorldStateSnapshot.$Properties;
  [MessageType.ZONE_UPDATE]: mmo.v1.ZoneUpdate.$Properties;
  [MessageType.TIME_SYNC]: mmo.v1.TimeSync.$Properties;
  [MessageType.NPC_STATE]: mmo.v1.NPCStateUpdate.$Properties;
  [MessageType.OBJECT_STATE]: mmo.v1.ObjectStateUpdate.$Properties;
  [MessageType.ENVIRONMENT_STATE]: mmo.v1.EnvironmentState.$Properties;
  [MessageType.ENTITY_SPAWN]: mmo.v1.EntitySpawn.$Properties;
  [MessageType.ENTITY_UPDATE]: mmo.v1.EntityUpdate.$Properties;
  [MessageType.ENTITY_DESPAWN]: mmo.v1.EntityDespawn.$Properties;
  [MessageType.INTEREST_UPDATE]: mmo.v1.InterestUpdate.$Properties;
  [MessageType.WORLD_DELTA]: mmo.v1.WorldStateDelta.$Properties;
  [MessageType.PRESENCE_UPDATE]: mmo.v1.PresenceUpdate.$Properties;
  [MessageType.FRIEND_STATUS]: mmo.v1.FriendStatus.$Properties;
  [MessageType.FRIEND_LIST]: mmo.v1.FriendList.$Properties;
  [MessageType.COMBAT_ACTION]: Uint8Array;
  [MessageType.SKILL_CAST]: Uint8Array;
  [MessageType.ITEM_USE]: Uint8Array;
  [MessageType.TRADE_EVENT]: Uint8Array;
  [MessageType.CHAT_MESSAGE]: Uint8Array;
  [MessageType.QUEST_UPDATE]: Uint8Array;
  [MessageType.GUILD_EVENT]: Uint8Array;
}

/** Init type of built-in type K. */
export type BuiltinPayloadInit<K extends keyof BuiltinPayloadInits> = BuiltinPayloadInits[K];

/** A built-in message type number. */
export type BuiltinType = keyof BuiltinPayloads;

interface Row {
  type: number;
  name: string;
  schema: MessageDescriptor['schema'];
  priority: number;
  reliable: boolean;
  compress?: boolean;
}

// Delivery defaults per DESIGN.md: connection control and state are volatile (superseded by the next
// snapshot or answered on the spot); actions, social traffic, errors and acks are reliable.
const rows: Row[] = [
  { type: MessageType.HEARTBEAT, name: 'HEARTBEAT', schema: reusingProtobufSchema(v1.Heartbeat), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.PONG, name: 'PONG', schema: reusingProtobufSchema(v1.Pong), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.ACK, name: 'ACK', schema: reusingProtobufSchema(v1.Ack), priority: Priority.HIGH, reliable: true },
  { type: MessageType.ERROR, name: 'ERROR', schema: reusingProtobufSchema(v1.ErrorNotification), priority: Priority.CRITICAL, reliable: true },
  { type: MessageType.HANDSHAKE, name: 'HANDSHAKE', schema: reusingProtobufSchema(v1.Handshake), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.CONNECTION_ESTABLISHED, name: 'CONNECTION_ESTABLISHED', schema: reusingProtobufSchema(v1.ConnectionEstablished), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.AUTH_RESULT, name: 'AUTH_RESULT', schema: reusingProtobufSchema(v1.AuthenticationResult), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.DISCONNECT, name: 'DISCONNECT', schema: reusingProtobufSchema(v1.Disconnect), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.PLAYER_MOVE, name: 'PLAYER_MOVE', schema: reusingProtobufSchema(v1.PlayerMovement), priority: Priority.MEDIUM, reliable: false },
  { type: MessageType.PLAYER_ACTION, name: 'PLAYER_ACTION', schema: reusingProtobufSchema(v1.PlayerAction), priority: Priority.HIGH, reliable: true },
  { type: MessageType.PLAYER_STATE, name: 'PLAYER_STATE', schema: reusingProtobufSchema(v1.PlayerStateUpdate), priority: Priority.MEDIUM, reliable: false },
  { type: MessageType.PLAYER_STATUS_CHANGE, name: 'PLAYER_STATUS_CHANGE', schema: reusingProtobufSchema(v1.PlayerStatusChange), priority: Priority.LOW, reliable: true },
  { type: MessageType.PLAYER_STATE_DELTA, name: 'PLAYER_STATE_DELTA', schema: reusingProtobufSchema(v1.PlayerStateDelta), priority: Priority.NORMAL, reliable: false },
  { type: MessageType.WORLD_STATE, name: 'WORLD_STATE', schema: reusingProtobufSchema(v1.WorldStateSnapshot), priority: Priority.MEDIUM, reliable: false, compress: true },
  { type: MessageType.ZONE_UPDATE, name: 'ZONE_UPDATE', schema: reusingProtobufSchema(v1.ZoneUpdate), priority: Priority.MEDIUM, reliable: true },
  { type: MessageType.TIME_SYNC, name: 'TIME_SYNC', schema: reusingProtobufSchema(v1.TimeSync), priority: Priority.CRITICAL, reliable: false },
  { type: MessageType.NPC_STATE, name: 'NPC_STATE', schema: reusingProtobufSchema(v1.NPCStateUpdate), priority: Priority.NORMAL, reliable: false },
  { type: MessageType.OBJECT_STATE, name: 'OBJECT_STATE', schema: reusingProtobufSchema(v1.ObjectStateUpdate), priority: Priority.NORMAL, reliable: false },
  { type: MessageType.ENVIRONMENT_STATE, name: 'ENVIRONMENT_STATE', schema: reusingProtobufSchema(v1.EnvironmentState), priority: Priority.LOW, reliable: false },
  { type: MessageType.ENTITY_SPAWN, name: 'ENTITY_SPAWN', schema: reusingProtobufSchema(v1.EntitySpawn), priority: Priority.MEDIUM, reliable: false },
  { type: MessageType.ENTITY_UPDATE, name: 'ENTITY_UPDATE', schema: reusingProtobufSchema(v1.EntityUpdate), priority: Priority.NORMAL, reliable: false },
  { type: MessageType.ENTITY_DESPAWN, name: 'ENTITY_DESPAWN', schema: reusingProtobufSchema(v1.EntityDespawn), priority: Priority.MEDIUM, reliable: false },
  { type: MessageType.INTEREST_UPDATE, name: 'INTEREST_UPDATE', schema: reusingProtobufSchema(v1.InterestUpdate), priority: Priority.MEDIUM, reliable: false },
  { type: MessageType.WORLD_DELTA, name: 'WORLD_DELTA', schema: worldDeltaSchema, priority: Priority.NORMAL, reliable: false },
  { type: MessageType.PRESENCE_UPDATE, name: 'PRESENCE_UPDATE', schema: reusingProtobufSchema(v1.PresenceUpdate), priority: Priority.LOW, reliable: true },
  { type: MessageType.FRIEND_STATUS, name: 'FRIEND_STATUS', schema: reusingProtobufSchema(v1.FriendStatus), priority: Priority.LOW, reliable: true },
  { type: MessageType.FRIEND_LIST, name: 'FRIEND_LIST', schema: reusingProtobufSchema(v1.FriendList), priority: Priority.LOW, reliable: true },
  // Reserved gameplay numbers: raw bytes until the game gives them meaning in its own handlers.
  { type: MessageType.COMBAT_ACTION, name: 'COMBAT_ACTION', schema: bytesSchema, priority: Priority.HIGH, reliable: true },
  { type: MessageType.SKILL_CAST, name: 'SKILL_CAST', schema: bytesSchema, priority: Priority.HIGH, reliable: true },
  { type: MessageType.ITEM_USE, name: 'ITEM_USE', schema: bytesSchema, priority: Priority.HIGH, reliable: true },
  { type: MessageType.TRADE_EVENT, name: 'TRADE_EVENT', schema: bytesSchema, priority: Priority.NORMAL, reliable: true },
  { type: MessageType.CHAT_MESSAGE, name: 'CHAT_MESSAGE', schema: bytesSchema, priority: Priority.LOW, reliable: true },
  { type: MessageType.QUEST_UPDATE, name: 'QUEST_UPDATE', schema: bytesSchema, priority: Priority.NORMAL, reliable: true },
  { type: MessageType.GUILD_EVENT, name: 'GUILD_EVENT', schema: bytesSchema, priority: Priority.LOW, reliable: true },
];

/** Descriptors of every built-in type, frozen. Every `MessageRegistry` starts with these. */
export const builtinDescriptors: readonly MessageDescriptor[] = Object.freeze(
  rows.map((row) =>
    Object.freeze({
      type: row.type,
      name: row.name,
      schema: row.schema,
      priority: row.priority,
      compress: row.compress ?? false,
      reliable: row.reliable,
    }),
  ),
);
