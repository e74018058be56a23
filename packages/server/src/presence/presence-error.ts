import { ErrorCode, type ErrorCodeNumber, MmoError, type MmoErrorOptions } from '@mmo/protocol';

/** Codes of {@link PresenceError}, each with the wire error code a client gets for it. */
export const PresenceErrorCode = {
  /** PLAYER_STATUS_CHANGE with a status a client may not set (unspecified, offline, unknown). */
  INVALID_STATUS: 'INVALID_STATUS',
  /** `in-game` without a zone id. */
  ZONE_REQUIRED: 'ZONE_REQUIRED',
  /** A zone id or status message over its configured maximum length. */
  FIELD_TOO_LONG: 'FIELD_TOO_LONG',
  /** `player_id` names someone other than the sender. */
  WRONG_PLAYER: 'WRONG_PLAYER',
  /** The user is not connected to this node's presence service. */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** Too many presence operations are queued on this node. */
  OVERLOADED: 'OVERLOADED',
  /** The service was closed. */
  CLOSED: 'CLOSED',
} as const;
export type PresenceErrorCodeName = (typeof PresenceErrorCode)[keyof typeof PresenceErrorCode];

/** The ErrorNotification code sent to the client for each {@link PresenceErrorCode}. */
export const presenceErrorWireCodes: Readonly<Record<PresenceErrorCodeName, ErrorCodeNumber>> = Object.freeze({
  INVALID_STATUS: ErrorCode.VALIDATION_FAILED,
  ZONE_REQUIRED: ErrorCode.VALIDATION_FAILED,
  FIELD_TOO_LONG: ErrorCode.VALIDATION_FAILED,
  WRONG_PLAYER: ErrorCode.FORBIDDEN,
  NOT_CONNECTED: ErrorCode.NOT_FOUND,
  OVERLOADED: ErrorCode.QUEUE_FULL,
  CLOSED: ErrorCode.UNAVAILABLE,
});

/** A presence request that cannot be honoured; `errorCode` is what the client should be told. */
export class PresenceError extends MmoError {
  override readonly name: string = 'PresenceError';
  declare readonly code: PresenceErrorCodeName;
  /** Wire error code for the client's ErrorNotification. */
  readonly errorCode: ErrorCodeNumber;

  constructor(code: PresenceErrorCodeName, message: string, options?: MmoErrorOptions) {
    super(code, message, options);
    this.errorCode = presenceErrorWireCodes[code];
  }
}

/** True for a {@link PresenceError}, optionally with the given code (by name, not instanceof). */
export function isPresenceError(value: unknown, code?: PresenceErrorCodeName): value is PresenceError {
  return value instanceof Error && value.name === 'PresenceError' && (code === undefined || (value as PresenceError).code === code);
}
