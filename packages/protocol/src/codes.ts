/**
 * Every code of the wire contract in one place: message types, priorities, ErrorNotification codes,
 * WebSocket close codes and the retryable subsets the client's reconnect logic reads.
 * `as const` objects with matching unions; the numbers are pinned (see proto/mmo/v1 and DESIGN.md).
 */

/** Protocol version carried in frame headers and envelopes. */
export const PROTOCOL_VERSION = 1;

/** WebSocket subprotocol both sides must negotiate. */
export const SUBPROTOCOL = 'mmo.v1';

/** Message type numbers (mirrors `mmo.v1.MessageType`; checked against the generated enum in tests). */
export const MessageType = {
  HEARTBEAT: 1,
  PONG: 2,
  ACK: 3,
  ERROR: 4,
  HANDSHAKE: 5,
  CONNECTION_ESTABLISHED: 6,
  AUTH_RESULT: 7,
  DISCONNECT: 8,

  PLAYER_MOVE: 100,
  PLAYER_ACTION: 101,
  PLAYER_STATE: 102,
  PLAYER_STATUS_CHANGE: 103,
  PLAYER_STATE_DELTA: 104,

  WORLD_STATE: 200,
  ZONE_UPDATE: 201,
  TIME_SYNC: 202,
  NPC_STATE: 203,
  OBJECT_STATE: 204,
  ENVIRONMENT_STATE: 205,
  ENTITY_SPAWN: 206,
  ENTITY_UPDATE: 207,
  ENTITY_DESPAWN: 208,
  INTEREST_UPDATE: 209,
  WORLD_DELTA: 210,

  PRESENCE_UPDATE: 300,
  FRIEND_STATUS: 301,
  FRIEND_LIST: 302,

  COMBAT_ACTION: 400,
  SKILL_CAST: 401,
  ITEM_USE: 402,
  TRADE_EVENT: 403,
  CHAT_MESSAGE: 404,
  QUEST_UPDATE: 405,
  GUILD_EVENT: 406,
} as const;

/** A built-in message type number. */
export type MessageTypeNumber = (typeof MessageType)[keyof typeof MessageType];
/** A built-in message type name. */
export type MessageTypeName = keyof typeof MessageType;

/** Message type ranges (inclusive). Custom types start at {@link MessageTypeRange.CUSTOM_MIN}. */
export const MessageTypeRange = {
  SYSTEM_MIN: 1,
  SYSTEM_MAX: 99,
  PLAYER_MIN: 100,
  PLAYER_MAX: 199,
  WORLD_MIN: 200,
  WORLD_MAX: 299,
  SOCIAL_MIN: 300,
  SOCIAL_MAX: 399,
  RESERVED_GAMEPLAY_MIN: 400,
  RESERVED_GAMEPLAY_MAX: 406,
  FUTURE_MIN: 500,
  FUTURE_MAX: 999,
  CUSTOM_MIN: 1000,
  /** Envelope `type` is an int32 enum on the wire. */
  CUSTOM_MAX: 0x7fffffff,
} as const;

/** Write-queue priorities (0..10, higher first), the seed's six levels. */
export const Priority = {
  /** Connection control: handshake answers, disconnects, errors. */
  CRITICAL: 10,
  /** Gameplay events that must not wait: actions, hits, acks. */
  HIGH: 9,
  /** Own-player state and corrections. */
  MEDIUM: 7,
  /** Regular state updates and deltas. */
  NORMAL: 5,
  /** Social and presence traffic. */
  LOW: 3,
  /** Anything that may wait for spare bandwidth. */
  BACKGROUND: 1,
} as const;
export type PriorityLevel = (typeof Priority)[keyof typeof Priority];

/** Codes carried in `ErrorNotification.code` (ERROR, type 4). */
export const ErrorCode = {
  // 1xxx: protocol
  PROTOCOL_VIOLATION: 1000,
  MALFORMED_MESSAGE: 1001,
  UNKNOWN_MESSAGE_TYPE: 1002,
  UNSUPPORTED_VERSION: 1003,
  INVALID_PAYLOAD: 1004,
  HANDSHAKE_REQUIRED: 1005,
  // 2xxx: authentication and sessions
  UNAUTHENTICATED: 2000,
  FORBIDDEN: 2001,
  TOKEN_EXPIRED: 2002,
  SESSION_NOT_FOUND: 2003,
  RESUME_REJECTED: 2004,
  SESSION_EXPIRED: 2005,
  // 3xxx: limits
  RATE_LIMITED: 3000,
  PAYLOAD_TOO_LARGE: 3001,
  QUEUE_FULL: 3002,
  // 4xxx: handlers and game rules
  HANDLER_TIMEOUT: 4000,
  HANDLER_FAILED: 4001,
  VALIDATION_FAILED: 4002,
  ACTION_REJECTED: 4003,
  NOT_FOUND: 4004,
  // 5xxx: server side
  INTERNAL: 5000,
  UNAVAILABLE: 5001,
} as const;
export type ErrorCodeNumber = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Error codes after which the same request may succeed if sent again later. */
export const RETRYABLE_ERROR_CODES: ReadonlySet<number> = new Set<number>([
  ErrorCode.RATE_LIMITED,
  ErrorCode.QUEUE_FULL,
  ErrorCode.HANDLER_TIMEOUT,
  ErrorCode.UNAVAILABLE,
]);

/**
 * WebSocket close codes. 1000-1015 are RFC 6455's; 4000-4999 are ours. The same numbers are used as
 * `Disconnect.code`, which is more specific than the socket close code (a kick closes with 1008 and
 * says KICKED in its DISCONNECT).
 */
export const CloseCode = {
  NORMAL: 1000,
  /** Server shutdown or drain: reconnect (elsewhere). */
  GOING_AWAY: 1001,
  /** Framing violation: bad magic, version, length, truncated or trailing bytes. */
  PROTOCOL_ERROR: 1002,
  /** Reserved by RFC 6455 for "no close frame"; never sent, seen by clients on a dropped socket. */
  ABNORMAL: 1006,
  /** A frame whose envelope or payload cannot be decoded. */
  INVALID_PAYLOAD: 1007,
  /** Policy: rate limit, token expired, kicked (the DISCONNECT before it says which). */
  POLICY_VIOLATION: 1008,
  /** A frame or message over the configured maximum size. */
  MESSAGE_TOO_BIG: 1009,
  /** Unexpected server fault. */
  INTERNAL_ERROR: 1011,

  /** No HANDSHAKE within the handshake timeout. */
  HANDSHAKE_TIMEOUT: 4000,
  /** The client's protocol version is not spoken by this server. */
  UNSUPPORTED_VERSION: 4001,
  /** Credentials refused. Do not retry with the same token. */
  AUTH_FAILED: 4002,
  /** The token expired while connected. Retry with a fresh token. */
  TOKEN_EXPIRED: 4003,
  /** Removed by an operator or the game. Do not reconnect. */
  KICKED: 4004,
  /** The same user logged in elsewhere and this connection was replaced. Do not reconnect. */
  REPLACED: 4005,
  /** Refused because the user already has a connection (duplicate-login policy "refuse"). */
  DUPLICATE_LOGIN: 4006,
  /** The client could not keep up with its outbound queue. Reconnect and resume. */
  SLOW_CONSUMER: 4007,
  /** Nothing heard from the client within the idle timeout (after one final ping). */
  IDLE_TIMEOUT: 4008,
  /** Message rate limit exceeded repeatedly. */
  RATE_LIMITED: 4009,
  /** Too many malformed or unknown messages. */
  TOO_MANY_ERRORS: 4010,
  /** The session cannot be resumed (expired, unknown or outbox overflow); reconnect fresh. */
  SESSION_LOST: 4011,
  /** The server is draining; reconnect after `retry_after_ms`, possibly to another node. */
  SERVER_DRAINING: 4012,
} as const;
export type CloseCodeNumber = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close (and Disconnect) codes after which a client should reconnect with backoff. Anything not in
 * this set (auth failures, kicks, replaced, protocol violations) means: stop, report to the game.
 * A DISCONNECT message's `reconnect` flag, when one arrived, overrides this table.
 */
export const RETRYABLE_CLOSE_CODES: ReadonlySet<number> = new Set<number>([
  CloseCode.GOING_AWAY,
  CloseCode.ABNORMAL,
  CloseCode.INTERNAL_ERROR,
  CloseCode.HANDSHAKE_TIMEOUT,
  CloseCode.TOKEN_EXPIRED,
  CloseCode.SLOW_CONSUMER,
  CloseCode.IDLE_TIMEOUT,
  CloseCode.RATE_LIMITED,
  CloseCode.SESSION_LOST,
  CloseCode.SERVER_DRAINING,
]);

/** True when a client should reconnect after a socket closed with `code`. */
export function isRetryableCloseCode(code: number): boolean {
  return RETRYABLE_CLOSE_CODES.has(code);
}

/** True when an ErrorNotification with `code` may succeed if retried later. */
export function isRetryableErrorCode(code: number): boolean {
  return RETRYABLE_ERROR_CODES.has(code);
}
