import { createPublicKey, type KeyObject } from 'node:crypto';
import { MmoError } from '@mmo/protocol';
import { createRemoteJWKSet, type JWSAlgorithm, type JWTVerifyGetKey } from 'jose';
import { AuthError, AuthErrorCode } from './auth-error.js';
import { authDefaults, type AuthOptions } from './auth-options.js';

/** The key (or key resolver) and pinned algorithms one authenticator verifies with. */
export interface VerificationKey {
  /** Which option the key came from. */
  readonly source: 'secret' | 'publicKey' | 'jwks';
  /** Accepted `alg` values, never empty, never `none`. */
  readonly algorithms: JWSAlgorithm[];
  /** Secret bytes, public key, or JWKS resolver. */
  readonly key: Uint8Array | KeyObject | JWTVerifyGetKey;
}

/** Minimum HMAC secret length per algorithm, in bytes: the hash size (RFC 7518 section 3.2). */
const HMAC_MIN_SECRET_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };
const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EDDSA_ALGORITHMS = ['EdDSA', 'Ed25519'];
/** ECDSA algorithm per OpenSSL curve name (`asymmetricKeyDetails.namedCurve`). */
const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, string>> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};
const ASYMMETRIC_ALGORITHMS = new Set([...RSA_ALGORITHMS, ...Object.values(EC_ALGORITHM_BY_CURVE), ...EDDSA_ALGORITHMS]);
/** Algorithms a JWKS is assumed to use when none are pinned: the two that identity providers issue. */
const JWKS_DEFAULT_ALGORITHMS = ['RS256', 'ES256'];
/** jose refuses RSA keys under 2048 bits at verify time; refuse them at start instead. */
const MIN_RSA_MODULUS_BITS = 2048;

function configError(setting: string, problem: string): MmoError {
  return new MmoError('CONFIG_INVALID', `auth option ${setting}: ${problem}`);
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Checks `jwtAlgorithms` against the algorithms the key can serve; returns the pinned list. */
function pinAlgorithms(requested: readonly string[] | undefined, usable: readonly string[], fallback: readonly string[]): JWSAlgorithm[] {
  const algorithms = requested ?? fallback;
  if (algorithms.length === 0) throw configError('jwtAlgorithms', 'must name at least one algorithm');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none') throw configError('jwtAlgorithms', '"none" is never accepted');
    if (!usable.includes(alg)) {
      throw configError('jwtAlgorithms', `"${alg}" does not fit the configured key (usable: ${usable.join(', ')})`);
    }
  }
  return [...new Set(algorithms)] as JWSAlgorithm[];
}

function fromSecret(secret: string, options: AuthOptions): VerificationKey {
  const algorithms = pinAlgorithms(options.jwtAlgorithms, Object.keys(HMAC_MIN_SECRET_BYTES), ['HS256']);
  const bytes = new TextEncoder().encode(secret);
  const needed = Math.max(...algorithms.map((alg) => HMAC_MIN_SECRET_BYTES[alg] ?? 0));
  if (bytes.length < needed) {
    throw configError('jwtSecret', `must be at least ${needed} bytes for ${algorithms.join('/')} (got ${bytes.length})`);
  }
  return { source: 'secret', algorithms, key: bytes };
}

function fromPublicKey(pem: string, options: AuthOptions): VerificationKey {
  if (pem.includes('PRIVATE KEY')) throw configError('jwtPublicKey', 'holds a private key; give the public key (SPKI PEM)');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (cause) {
    throw new MmoError('CONFIG_INVALID', 'auth option jwtPublicKey: not a PEM public key', { cause });
  }
  const details = key.asymmetricKeyDetails ?? {};
  let usable: string[];
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
        throw configError('jwtPublicKey', `RSA key of ${details.modulusLength ?? '?'} bits; at least ${MIN_RSA_MODULUS_BITS} required`);
      }
      usable = RSA_ALGORITHMS;
      break;
    case 'ec': {
      const alg = EC_ALGORITHM_BY_CURVE[details.namedCurve ?? ''];
      if (alg === undefined) throw configError('jwtPublicKey', `unsupported EC curve ${details.namedCurve ?? '?'}`);
      usable = [alg];
      break;
    }
    case 'ed25519':
      usable = EDDSA_ALGORITHMS;
      break;
    default:
      throw configError('jwtPublicKey', `unsupported key type ${key.asymmetricKeyType ?? '?'} (use RSA, EC or Ed25519)`);
  }
  const fallback = key.asymmetricKeyType === 'rsa' ? ['RS256'] : usable;
  return { source: 'publicKey', algorithms: pinAlgorithms(options.jwtAlgorithms, usable, fallback), key };
}

function fromJwks(jwksUrl: string, options: AuthOptions): VerificationKey {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    throw configError('jwksUrl', 'not a valid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw configError('jwksUrl', 'must use https (http only on a loopback host)');
  }
  const algorithms = pinAlgorithms(options.jwtAlgorithms, [...ASYMMETRIC_ALGORITHMS], JWKS_DEFAULT_ALGORITHMS);
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: options.jwksTimeoutMs ?? authDefaults.jwksTimeoutMs,
    cooldownDuration: options.jwksCooldownMs ?? authDefaults.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? authDefaults.jwksCacheMaxAgeMs,
  });
  // Errors here are sorted now: only in this function can a failure mean "keys unreachable" (503)
  // rather than "bad token" (401).
  const key: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
        throw new AuthError(AuthErrorCode.KEY_NOT_FOUND, 'no single key of the JWKS matches the token kid/alg', { cause });
      }
      throw new AuthError(AuthErrorCode.AUTH_UNAVAILABLE, 'the JWKS could not be fetched or read', { cause });
    }
  };
  return { source: 'jwks', algorithms, key };
}

/**
 * Validates the key options and builds the key to verify with. Throws an {@link MmoError} with
 * code CONFIG_INVALID and a one-line message naming the option when the configuration is unusable.
 */
export function resolveVerificationKey(options: AuthOptions): VerificationKey {
  const { jwtSecret, jwtPublicKey, jwksUrl } = options;
  const set = [jwtSecret, jwtPublicKey, jwksUrl].filter((value) => value !== undefined).length;
  if (set !== 1) {
    throw configError('jwtSecret/jwtPublicKey/jwksUrl', `exactly one must be set (got ${set})`);
  }
  if (jwtSecret !== undefined) return fromSecret(jwtSecret, options);
  if (jwtPublicKey !== undefined) return fromPublicKey(jwtPublicKey, options);
  return fromJwks(jwksUrl as string, options);
}
