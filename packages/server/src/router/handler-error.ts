import { ErrorCode, type ErrorCodeNumber, MmoError, type MmoErrorOptions } from '@mmo/protocol';

/**
 * Thrown by game handlers to answer the client with an ERROR of a chosen code. The message is
 * sent to the client as-is, so keep secrets out of it. Any other thrown error becomes INTERNAL
 * (its message is logged, not sent).
 * @example
 * router.on(MessageType.PLAYER_ACTION, (ctx) => {
 *   if (!allowed) throw new HandlerError(ErrorCode.ACTION_REJECTED, 'target out of range');
 * });
 */
export class HandlerError extends MmoError {
  override readonly name: string = 'HandlerError';
  /** Code carried in the ErrorNotification sent to the client. */
  readonly errorCode: ErrorCodeNumber;
  /** Extra string details for the client (ErrorNotification.details). */
  readonly details: Readonly<Record<string, string>>;

  constructor(
    errorCode: ErrorCodeNumber,
    message: string,
    options?: MmoErrorOptions & { details?: Record<string, string> },
  ) {
    super('HANDLER_ERROR', message, options);
    this.errorCode = errorCode;
    this.details = options?.details ?? {};
  }
}

/** A handler did not finish within its timeout; its AbortSignal was aborted. */
export class HandlerTimeoutError extends MmoError {
  override readonly name: string = 'HandlerTimeoutError';
  constructor(messageType: number, timeoutMs: number) {
    super('HANDLER_TIMEOUT', `handler for message type ${messageType} did not finish within ${timeoutMs} ms`);
  }
}

/** True for a {@link HandlerError} (by name, so copies of the package agree). */
export function isHandlerError(value: unknown): value is HandlerError {
  return value instanceof Error && value.name === 'HandlerError' && typeof (value as HandlerError).errorCode === 'number';
}

/** Default error code for unexpected handler failures. */
export const INTERNAL_ERROR_CODE = ErrorCode.INTERNAL;
