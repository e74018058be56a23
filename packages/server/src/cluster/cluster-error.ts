import { MmoError, type MmoErrorOptions } from '@mmo/protocol';

/** Codes of {@link ClusterError}. */
export const ClusterErrorCode = {
  /** Redis is not connected (or a command to it failed); nothing was sent. Retryable. */
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  /** Too many bytes are already waiting for Redis to confirm a publish; nothing was sent. Retryable. */
  PUBLISH_BACKPRESSURE: 'PUBLISH_BACKPRESSURE',
  /** The encoded message exceeds `maxMessageBytes`. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** The message is neither bytes nor a JSON-serialisable object. */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** Subscribing would exceed `maxTopics`. */
  TOO_MANY_TOPICS: 'TOO_MANY_TOPICS',
  /** The bus was closed. */
  BUS_CLOSED: 'BUS_CLOSED',
} as const;
export type ClusterErrorCodeName = (typeof ClusterErrorCode)[keyof typeof ClusterErrorCode];

/** Codes a caller may retry after a while (Redis back, backlog drained). */
export const retryableClusterErrorCodes: ReadonlySet<ClusterErrorCodeName> = new Set([
  ClusterErrorCode.REDIS_UNAVAILABLE,
  ClusterErrorCode.PUBLISH_BACKPRESSURE,
]);

/** A cluster bus operation failed; `code` says why (see {@link ClusterErrorCode}). */
export class ClusterError extends MmoError {
  override readonly name = 'ClusterError';
  declare readonly code: ClusterErrorCodeName;

  constructor(code: ClusterErrorCodeName, message: string, options?: MmoErrorOptions) {
    super(code, message, options);
  }
}

/** True for a {@link ClusterError} (by name, not instanceof), optionally with the given code. */
export function isClusterError(value: unknown, code?: ClusterErrorCodeName): value is ClusterError {
  return value instanceof Error && value.name === 'ClusterError' && (code === undefined || (value as ClusterError).code === code);
}
