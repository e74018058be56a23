import { MmoError } from '@mmo/protocol';
import { jwtVerify, type JWTVerifyOptions } from 'jose';
import { AuthError, AuthErrorCode, isAuthError } from './auth-error.js';
import { ALWAYS_REQUIRED_CLAIMS, authDefaults, type AuthOptions } from './auth-options.js';
import { resolveVerificationKey } from './key-source.js';

/** Who a verified token says the client is. */
export interface AuthIdentity {
  /** The token's `sub` claim. */
  readonly userId: string;
  /** Every claim of the token, as sent. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The token's `exp`, in milliseconds since the epoch (to close the socket when it passes). */
  readonly expiresAtMs: number;
}

/** Checks bearer tokens against one configured key source. */
export interface Authenticator {
  /** Which key option this authenticator verifies with. */
  readonly keySource: 'secret' | 'publicKey' | 'jwks';
  /** The pinned `alg` values. */
  readonly algorithms: readonly string[];
  /** Verifies `token`; resolves to its identity or rejects with an {@link AuthError}. */
  verify(token: string): Promise<AuthIdentity>;
}

const SECONDS_TO_MS = 1000;

function requireNonNegative(name: string, value: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new MmoError('CONFIG_INVALID', `auth option ${name}: must be a non-negative ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/** Maps an error thrown by jose's `jwtVerify` (by its `code`) to an {@link AuthError}. */
function toAuthError(cause: unknown): AuthError {
  if (isAuthError(cause)) return cause;
  const { code, claim, reason } = (cause ?? {}) as { code?: unknown; claim?: unknown; reason?: unknown };
  const fail = (authCode: AuthError['code'], message: string): AuthError => new AuthError(authCode, message, { cause });
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return fail(AuthErrorCode.TOKEN_EXPIRED, 'token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf' && reason === 'check_failed') return fail(AuthErrorCode.TOKEN_NOT_YET_VALID, 'token is not valid yet (nbf)');
      return fail(AuthErrorCode.TOKEN_CLAIM_INVALID, `claim "${String(claim)}" is ${String(reason)}`);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return fail(AuthErrorCode.TOKEN_INVALID_SIGNATURE, 'token signature does not verify');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return fail(AuthErrorCode.TOKEN_ALGORITHM_REFUSED, 'token alg is not accepted');
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return fail(AuthErrorCode.KEY_NOT_FOUND, 'no key matches the token kid');
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return fail(AuthErrorCode.AUTH_UNAVAILABLE, 'the JWKS could not be fetched or read');
    default:
      // Any other jose error (ERR_JWS_INVALID, ERR_JWT_INVALID, unrecognised crit, …) is about the
      // token's shape. A non-jose error is our fault (key unusable at run time): not the client's.
      if (typeof code === 'string' && code.startsWith('ERR_J')) return fail(AuthErrorCode.TOKEN_MALFORMED, 'token is not a valid JWT');
      return fail(AuthErrorCode.AUTH_UNAVAILABLE, 'token could not be verified');
  }
}

/**
 * Creates the authenticator of the WebSocket upgrade. Validates the options at once: a bad
 * configuration throws an MmoError (code CONFIG_INVALID) naming the option.
 * @example
 * const auth = createAuthenticator({ jwksUrl: 'https://id.example/.well-known/jwks.json', audience: 'mmo' });
 * const { userId, expiresAtMs } = await auth.verify(token); // or AuthError with .code and .status
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const { source, algorithms, key } = resolveVerificationKey(options);
  const clockToleranceSec = requireNonNegative('clockToleranceSec', options.clockToleranceSec ?? authDefaults.clockToleranceSec, false);
  const maxTokenBytes = requireNonNegative('maxTokenBytes', options.maxTokenBytes ?? authDefaults.maxTokenBytes, true);
  const { issuer, audience, now } = options;
  const requiredClaims = [...new Set([...ALWAYS_REQUIRED_CLAIMS, ...(options.requiredClaims ?? [])])];
  const baseOptions: JWTVerifyOptions = {
    algorithms,
    requiredClaims,
    clockTolerance: clockToleranceSec,
    ...(issuer === undefined ? {} : { issuer }),
    ...(audience === undefined ? {} : { audience: typeof audience === 'string' ? audience : [...audience] }),
  };

  async function verify(token: string): Promise<AuthIdentity> {
    if (token === '') throw new AuthError(AuthErrorCode.TOKEN_MISSING, 'no token presented');
    if (token.length > maxTokenBytes) throw new AuthError(AuthErrorCode.TOKEN_MALFORMED, `token longer than ${maxTokenBytes} bytes`);
    const verifyOptions = now === undefined ? baseOptions : { ...baseOptions, currentDate: new Date(now()) };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, verifyOptions));
    } catch (error) {
      throw toAuthError(error);
    }
    // jose checks that exp is a number but not that sub is a string.
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub === '') throw new AuthError(AuthErrorCode.TOKEN_CLAIM_INVALID, 'claim "sub" must be a non-empty string');
    return { userId: sub, claims: payload, expiresAtMs: (exp as number) * SECONDS_TO_MS };
  }

  return { keySource: source, algorithms, verify };
}
