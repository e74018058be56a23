import { MmoError, type MmoErrorOptions } from '@mmo/protocol';

/** Why a token was refused (or could not be checked); the `code` of an {@link AuthError}. */
export const AuthErrorCode = {
  /** No token in the header, the query or the cookie. */
  TOKEN_MISSING: 'TOKEN_MISSING',
  /** Not a compact JWS / JWT: wrong number of parts, bad base64url or JSON, too long. */
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  /** The signature does not match the configured key. */
  TOKEN_INVALID_SIGNATURE: 'TOKEN_INVALID_SIGNATURE',
  /** `exp` is past (beyond the clock tolerance). */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** `nbf` is in the future (beyond the clock tolerance). */
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  /** Wrong `iss` or `aud`, or a required claim (`exp`, `sub`, …) missing or of the wrong type. */
  TOKEN_CLAIM_INVALID: 'TOKEN_CLAIM_INVALID',
  /** The token's `alg` is not pinned: `none`, or an HMAC/RSA key-confusion attempt. */
  TOKEN_ALGORITHM_REFUSED: 'TOKEN_ALGORITHM_REFUSED',
  /** The JWKS has no key for the token's `kid` (or several match). */
  KEY_NOT_FOUND: 'KEY_NOT_FOUND',
  /** The keys could not be had (JWKS fetch failed or timed out): the token was not judged. */
  AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
} as const;

/** One of the {@link AuthErrorCode} values. */
export type AuthErrorCodeName = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** HTTP status of a refused upgrade: the token is at fault. */
const STATUS_UNAUTHORIZED = 401;
/** HTTP status when the keys were unreachable: the client may retry later. */
const STATUS_UNAVAILABLE = 503;

/**
 * A token was refused, or could not be checked. `status` is the HTTP status to answer the upgrade
 * with: 401 for every token problem, 503 for AUTH_UNAVAILABLE. Messages never contain the token.
 */
export class AuthError extends MmoError {
  override readonly name: string = 'AuthError';
  /** Why, as one of {@link AuthErrorCode}. */
  declare readonly code: AuthErrorCodeName;
  /** HTTP status for the refused upgrade (401 or 503). */
  readonly status: 401 | 503;

  constructor(code: AuthErrorCodeName, message: string, options?: MmoErrorOptions) {
    super(code, message, options);
    this.status = code === AuthErrorCode.AUTH_UNAVAILABLE ? STATUS_UNAVAILABLE : STATUS_UNAUTHORIZED;
  }
}

/** True for an {@link AuthError} (checked by name, so two copies of the package agree). */
export function isAuthError(value: unknown): value is AuthError {
  return (
    value instanceof Error &&
    value.name === 'AuthError' &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}
