import { CloseCode, isRetryableCloseCode } from '@mmo/protocol';
import { backoffDefaults, backoffDelayMs, type BackoffOptions } from './backoff.js';

/** The server's DISCONNECT, when one arrived before the close. */
export interface DisconnectHint {
  code: number;
  reason: string;
  reconnect: boolean;
  retryAfterMs: number;
}

/** How one attempt or connection ended, as the policy sees it. */
export interface AttemptOutcome {
  /** WebSocket close code (or the client's own code for a timeout it detected). */
  code: number;
  reason: string;
  /** The socket opened before it closed. */
  wasOpen: boolean;
  /** HTTP status of a refused upgrade, when the runtime tells. */
  httpStatus?: number | undefined;
  /** DISCONNECT received on this link, if any (it overrides the close-code table). */
  disconnect?: DisconnectHint | undefined;
}

/** What to do next. */
export type ReconnectDecision =
  | { action: 'retry'; delayMs: number; attempt: number; reason: string }
  | { action: 'fail'; reason: string; code: number };

/**
 * HTTP statuses of a refused upgrade that no retry will fix: bad request, bad token, forbidden
 * origin, wrong path, duplicate login refused. 408/429/5xx are transient.
 */
export const NON_RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404, 409]);

/**
 * Close codes retried in addition to `RETRYABLE_CLOSE_CODES`: 1005 (closed without a status: a proxy
 * or a peer that sent an empty close frame) is, for a client, the same as a dropped link.
 */
const CLIENT_RETRYABLE_CLOSE_CODES: ReadonlySet<number> = new Set([1005]);

/**
 * The reconnect rules in one place: a DISCONNECT's `reconnect` flag wins; otherwise the protocol's
 * retryable close-code table; a refused upgrade fails at once when its HTTP status says so; attempts
 * that never open are capped separately (a browser cannot tell a refused token from a down server).
 * Delays follow {@link backoffDelayMs}, never shorter than the server's `retryAfterMs`.
 */
export class ReconnectPolicy {
  private attempts = 0;
  private failuresBeforeOpen = 0;
  private readonly options: Readonly<Required<BackoffOptions>>;

  constructor(
    options: BackoffOptions,
    private readonly random: () => number,
  ) {
    this.options = { ...backoffDefaults, ...definedOnly(options) };
  }

  /** Consecutive failed attempts since the last successful connection. */
  get attempt(): number {
    return this.attempts;
  }

  /** A connection was established: the counters start over. */
  onConnected(): void {
    this.attempts = 0;
    this.failuresBeforeOpen = 0;
  }

  /** Starts over (a new `connect()` by the game). */
  reset(): void {
    this.onConnected();
  }

  /** Decides after an attempt or a connection ended. */
  next(outcome: AttemptOutcome): ReconnectDecision {
    const verdict = classify(outcome);
    if (!verdict.retryable) return { action: 'fail', reason: verdict.reason, code: verdict.code };
    if (!outcome.wasOpen) this.failuresBeforeOpen++;
    if (this.failuresBeforeOpen >= this.options.maxFailuresBeforeOpen) {
      return { action: 'fail', reason: `${this.failuresBeforeOpen} attempts in a row failed before the socket opened (${verdict.reason})`, code: verdict.code };
    }
    if (this.attempts >= this.options.maxAttempts) {
      return { action: 'fail', reason: `gave up after ${this.attempts} attempts (${verdict.reason})`, code: verdict.code };
    }
    const attempt = this.attempts++;
    const delayMs = Math.max(backoffDelayMs(attempt, this.options, this.random), outcome.disconnect?.retryAfterMs ?? 0);
    return { action: 'retry', delayMs, attempt: attempt + 1, reason: verdict.reason };
  }
}

interface Classified {
  retryable: boolean;
  reason: string;
  code: number;
}

/** Whether an outcome may be retried, and a short reason for logs and events. */
export function classify(outcome: AttemptOutcome): Classified {
  const hint = outcome.disconnect;
  if (hint !== undefined) {
    const reason = `server disconnect ${hint.code}${hint.reason ? ` (${hint.reason})` : ''}`;
    return { retryable: hint.reconnect, reason, code: hint.code };
  }
  if (!outcome.wasOpen && outcome.httpStatus !== undefined) {
    return {
      retryable: !NON_RETRYABLE_HTTP_STATUSES.has(outcome.httpStatus),
      reason: `upgrade refused with HTTP ${outcome.httpStatus}`,
      code: outcome.code,
    };
  }
  const retryable = isRetryableCloseCode(outcome.code) || CLIENT_RETRYABLE_CLOSE_CODES.has(outcome.code);
  const what = outcome.wasOpen ? 'closed' : 'failed before open';
  return { retryable, reason: `${what} with ${outcome.code}${outcome.reason ? ` (${outcome.reason})` : ''}`, code: outcome.code };
}

/** Close codes the client itself reports for links it gave up on (never sent by a server). */
export const LocalCloseCode = {
  /** The socket did not open within `connectTimeoutMs`. */
  CONNECT_TIMEOUT: CloseCode.ABNORMAL,
  /** No CONNECTION_ESTABLISHED within `handshakeTimeoutMs`. */
  HANDSHAKE_TIMEOUT: CloseCode.HANDSHAKE_TIMEOUT,
  /** Nothing heard from the server within the silence timeout. */
  SERVER_SILENT: CloseCode.IDLE_TIMEOUT,
  /** The server sent bytes that are not valid frames. */
  PROTOCOL_ERROR: CloseCode.ABNORMAL,
} as const;

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
