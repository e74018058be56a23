/**
 * Options of the WebSocket upgrade's JWT check. Set exactly one key source: `jwtSecret`,
 * `jwtPublicKey` or `jwksUrl`; anything else is a configuration error at construction.
 * @example
 * const auth = createAuthenticator({ jwtSecret: process.env.MMO_JWT_SECRET, issuer: 'https://id.example' });
 */
export interface AuthOptions {
  /**
   * Shared HMAC secret (UTF-8). At least 32 bytes for HS256 (48 for HS384, 64 for HS512, as
   * RFC 7518 section 3.2 requires); a shorter one is refused at construction.
   * @default undefined
   */
  jwtSecret?: string;
  /**
   * PEM public key (SPKI `BEGIN PUBLIC KEY`; RSA of 2048 bits or more, EC P-256/384/521 or
   * Ed25519). The algorithm is inferred from the key unless `jwtAlgorithms` pins it.
   * @default undefined
   */
  jwtPublicKey?: string;
  /**
   * URL of a remote JSON Web Key Set. Must be https, except on a loopback host (tests).
   * @default undefined
   */
  jwksUrl?: string;
  /**
   * Accepted `alg` values. Never `none`; HMAC algorithms only with `jwtSecret`, asymmetric ones
   * only with a public key or JWKS (this is what stops HS/RS key confusion).
   * @default ['HS256'] with a secret; the key's own algorithm with a PEM key (RS256, ES256/384/512,
   * EdDSA); ['RS256', 'ES256'] with a JWKS
   */
  jwtAlgorithms?: readonly string[];
  /**
   * Required `iss` claim value; unchecked when unset.
   * @default undefined
   */
  issuer?: string;
  /**
   * Required `aud` claim value (one of them, for an array); unchecked when unset.
   * @default undefined
   */
  audience?: string | readonly string[];
  /**
   * Clock skew allowed on `exp` and `nbf`, in seconds.
   * @default 5
   */
  clockToleranceSec?: number;
  /**
   * Claims that must be present besides `exp` and `sub`, which are always required.
   * @default []
   */
  requiredClaims?: readonly string[];
  /**
   * Longest token accepted, in bytes (a JWT is ASCII); longer ones are TOKEN_MALFORMED unparsed.
   * @default 8192
   */
  maxTokenBytes?: number;
  /**
   * Time allowed for one JWKS fetch, in milliseconds; past it the verify fails with AUTH_UNAVAILABLE.
   * @default 5000
   */
  jwksTimeoutMs?: number;
  /**
   * Minimum time between two JWKS fetches caused by unknown `kid`s, in milliseconds.
   * @default 30000
   */
  jwksCooldownMs?: number;
  /**
   * Longest time a fetched JWKS is used before it is fetched again, in milliseconds.
   * @default 600000
   */
  jwksCacheMaxAgeMs?: number;
  /**
   * Wall clock in milliseconds since the epoch, used for `exp`/`nbf` (tests pass a fixed one).
   * @default Date.now
   */
  now?: () => number;
}

/** Defaults of {@link AuthOptions}, applied once at construction. */
export const authDefaults = {
  /** Seconds of skew between the token issuer's clock and ours. */
  clockToleranceSec: 5,
  /** Node caps a whole request head at 16 KiB; a real JWT is well under half of that. */
  maxTokenBytes: 8192,
  /** jose's own default for a JWKS fetch. */
  jwksTimeoutMs: 5_000,
  /** jose's default: at most one refetch per 30 s however many unknown kids arrive. */
  jwksCooldownMs: 30_000,
  /** jose's default: ten minutes, so rotated keys are picked up without a restart. */
  jwksCacheMaxAgeMs: 600_000,
} as const;

/** Claims every accepted token must carry, whatever the options say. */
export const ALWAYS_REQUIRED_CLAIMS: readonly string[] = ['exp', 'sub'];
