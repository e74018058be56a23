/**
 * Errors of @mmo/client. Every one is an `MmoError` (code + cause) from `@mmo/protocol`; guards check
 * `name`/`code`, not `instanceof`, so two bundled copies of the package still agree.
 */
import { isRetryableErrorCode, MmoError, type MmoErrorOptions } from '@mmo/protocol';

/** Codes of the client's own errors (the `code` of each class below). */
export const ClientErrorCode = {
  /** No WebSocket constructor was given and `globalThis.WebSocket` does not exist. */
  WEBSOCKET_UNAVAILABLE: 'WEBSOCKET_UNAVAILABLE',
  /** A volatile message was sent while offline without a `coalesceKey` (it would be stale later). */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** The outbound queue is at its message or byte bound; the message was not kept. */
  OFFLINE_QUEUE_FULL: 'OFFLINE_QUEUE_FULL',
  /** A queued message waited longer than `maxQueuedAgeMs` without being sent. */
  MESSAGE_EXPIRED: 'MESSAGE_EXPIRED',
  /** A coalesced volatile message was replaced by a newer one with the same key. */
  MESSAGE_SUPERSEDED: 'MESSAGE_SUPERSEDED',
  /** The send did not settle within its `timeoutMs`. */
  SEND_TIMEOUT: 'SEND_TIMEOUT',
  /** The server could not resume the session: the message's fate in the old session is unknown. */
  SESSION_LOST: 'SESSION_LOST',
  /** The server answered the message with an ERROR (ErrorNotification). */
  SERVER_ERROR: 'SERVER_ERROR',
  /** The client was disconnected by the game or gave up reconnecting; pending sends are rejected. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The world-state stream did not decode or was out of step with the client's view; the view was dropped. */
  WORLD_DESYNC: 'WORLD_DESYNC',
  /** An option of a client module (interpolation, prediction, world state) got a bad value. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** A call got a bad argument (a render time that is not finite, a bad input tick or `dtMs`). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;
/** A {@link ClientErrorCode} value. */
export type ClientErrorCodeName = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** A plain `MmoError` with code `INVALID_OPTIONS` (the message names the option). */
export function invalidOptionsError(message: string): MmoError {
  return new MmoError(ClientErrorCode.INVALID_OPTIONS, message);
}

/** A plain `MmoError` with code `INVALID_ARGUMENT`. */
export function invalidArgumentError(message: string): MmoError {
  return new MmoError(ClientErrorCode.INVALID_ARGUMENT, message);
}

/** No WebSocket implementation is available in this runtime. */
export class WebSocketUnavailableError extends MmoError {
  override readonly name = 'WebSocketUnavailableError';
  constructor() {
    super(
      ClientErrorCode.WEBSOCKET_UNAVAILABLE,
      'globalThis.WebSocket is not defined in this runtime (Node < 22, some engines): pass a constructor, ' +
        "e.g. `import WebSocket from 'ws'` and `createMmoClient({ url, WebSocket })`",
    );
  }
}

/** A volatile message could not be sent because the client is not connected. */
export class NotConnectedError extends MmoError {
  override readonly name = 'NotConnectedError';
  constructor(message = 'not connected: volatile messages are dropped while offline (give a coalesceKey to keep the latest)') {
    super(ClientErrorCode.NOT_CONNECTED, message);
  }
}

/** Which bound refused a message. */
export type QueueLimitName = 'messages' | 'bytes';

/** The outbound queue is full; the message was not kept. Nothing already queued was evicted. */
export class OfflineQueueFullError extends MmoError {
  override readonly name = 'OfflineQueueFullError';
  /** The bound that was reached. */
  readonly limit: QueueLimitName;
  constructor(limit: QueueLimitName, message: string) {
    super(ClientErrorCode.OFFLINE_QUEUE_FULL, message);
    this.limit = limit;
  }
}

/** A queued message waited longer than the queue's age bound and was never sent. */
export class MessageExpiredError extends MmoError {
  override readonly name = 'MessageExpiredError';
  constructor(ageMs: number) {
    super(ClientErrorCode.MESSAGE_EXPIRED, `message waited ${ageMs} ms in the offline queue and was dropped unsent`);
  }
}

/** A coalesced volatile message was replaced by a newer one with the same `coalesceKey`. */
export class MessageSupersededError extends MmoError {
  override readonly name = 'MessageSupersededError';
  constructor(key: string) {
    super(ClientErrorCode.MESSAGE_SUPERSEDED, `superseded by a newer message with coalesceKey ${JSON.stringify(key)}`);
  }
}

/**
 * The send did not settle in time. If the message had already been written it stays in the reliable
 * stream (it may still arrive: a reliable stream cannot skip a sequence); if it had not, it is dropped.
 */
export class SendTimeoutError extends MmoError {
  override readonly name = 'SendTimeoutError';
  /** True when the message had been written to a socket before the timeout. */
  readonly wasSent: boolean;
  constructor(timeoutMs: number, wasSent: boolean) {
    super(ClientErrorCode.SEND_TIMEOUT, `no answer within ${timeoutMs} ms${wasSent ? ' (the message was sent and may still arrive)' : ' (never sent)'}`);
    this.wasSent = wasSent;
  }
}

/**
 * The server refused to resume and started a fresh session: this message belonged to the old one
 * and may or may not have been handled there.
 */
export class SessionLostError extends MmoError {
  override readonly name = 'SessionLostError';
  constructor(reason: string) {
    super(ClientErrorCode.SESSION_LOST, `session lost (${reason}): the message's outcome in the old session is unknown`);
  }
}

/** The server answered with ERROR (its ErrorNotification, `request_id` = our sequence). */
export class ServerError extends MmoError {
  override readonly name = 'ServerError';
  /** The server's numeric `ErrorCode` (see `@mmo/protocol`). */
  readonly errorCode: number;
  /** True when the same request may succeed if sent again later. */
  readonly retryable: boolean;
  /** Free-form details from the server. */
  readonly details: Readonly<Record<string, string>>;
  constructor(errorCode: number, message: string, retryable: boolean, details: Readonly<Record<string, string>>) {
    super(ClientErrorCode.SERVER_ERROR, message);
    this.errorCode = errorCode;
    this.retryable = retryable || isRetryableErrorCode(errorCode);
    this.details = details;
  }
}

/** Why pending sends were rejected by {@link ConnectionClosedError}. */
export type ConnectionClosedReason = 'disconnected' | 'failed';

/** The game called `disconnect()`, or the client gave up reconnecting (state `failed`). */
export class ConnectionClosedError extends MmoError {
  override readonly name = 'ConnectionClosedError';
  readonly reason: ConnectionClosedReason;
  constructor(reason: ConnectionClosedReason, detail: string, options?: MmoErrorOptions) {
    super(ClientErrorCode.CONNECTION_CLOSED, `connection ${reason}: ${detail}`, options);
    this.reason = reason;
  }
}

/**
 * What put a {@link WorldDesyncError}'s view out of step:
 * - `decode`: a world message's payload did not decode (reported by the connection);
 * - `malformed`: a payload or a packed delta did not read (bits ran out, a value out of range);
 * - `visible-count`: a WORLD_DELTA was built for another number of visible entities;
 * - `interest`: an INTEREST_UPDATE exited an entity not in view, or entered one already in view;
 * - `unknown-entity`: a WORLD_STATE entry names an entity not in view;
 * - `missing-state`: an entity in view still has no state, or no WORLD_STATE entry, after a delta;
 * - `tick-order`: a WORLD_DELTA's tick is not after the previous one.
 */
export type WorldDesyncReason = 'decode' | 'malformed' | 'visible-count' | 'interest' | 'unknown-entity' | 'missing-state' | 'tick-order';

/**
 * The client's world view and the server's stream are out of step. The view was dropped and stays
 * empty until `WorldState.reset()` (called on every `connected`: the server restarts the view on a
 * resume or a new session with a full snapshot).
 */
export class WorldDesyncError extends MmoError {
  override readonly name = 'WorldDesyncError';
  /** What went wrong. */
  readonly reason: WorldDesyncReason;
  /** The message type being applied (INTEREST_UPDATE, WORLD_STATE or WORLD_DELTA). */
  readonly messageType: number;
  constructor(reason: WorldDesyncReason, messageType: number, detail: string, options?: MmoErrorOptions) {
    super(ClientErrorCode.WORLD_DESYNC, `world state out of step (${reason}, message type ${messageType}): ${detail}`, options);
    this.reason = reason;
    this.messageType = messageType;
  }
}

/** True for a {@link WorldDesyncError}. */
export function isWorldDesyncError(value: unknown): value is WorldDesyncError {
  return value instanceof Error && value.name === 'WorldDesyncError';
}

/** True for any error of this package with the given code (by `code`, not `instanceof`). */
export function isClientError(value: unknown, code?: ClientErrorCodeName): boolean {
  if (!(value instanceof Error)) return false;
  const c = (value as { code?: unknown }).code;
  return typeof c === 'string' && (code === undefined ? Object.values(ClientErrorCode).includes(c as ClientErrorCodeName) : c === code);
}

/** True for a {@link ServerError}. */
export function isServerError(value: unknown): value is ServerError {
  return value instanceof Error && value.name === 'ServerError';
}

/** True for a {@link SessionLostError}. */
export function isSessionLostError(value: unknown): value is SessionLostError {
  return value instanceof Error && value.name === 'SessionLostError';
}
