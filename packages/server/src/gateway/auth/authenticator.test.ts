import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMmoError, MmoError } from '@mmo/protocol';
import fc from 'fast-check';
import { base64url, CompactSign, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, isAuthError } from './auth-error.js';
import type { AuthOptions } from './auth-options.js';
import { createAuthenticator, type Authenticator } from './authenticator.js';

const NOW_MS = Date.UTC(2030, 0, 1);
const NOW_SEC = NOW_MS / 1000;
const now = (): number => NOW_MS;
const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const ISSUER = 'https://id.example';
const AUDIENCE = 'mmo';

interface KeyPair {
  privateKey: CryptoKey;
  publicPem: string;
}

let rsa: KeyPair;
let ec: KeyPair;
let ecJwksKey: CryptoKey;
let ecJwk: Record<string, unknown>;

beforeAll(async () => {
  const rsaPair = await generateKeyPair('RS256', { extractable: true });
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  const jwksPair = await generateKeyPair('ES256', { extractable: true });
  rsa = { privateKey: rsaPair.privateKey, publicPem: await exportSPKI(rsaPair.publicKey) };
  ec = { privateKey: ecPair.privateKey, publicPem: await exportSPKI(ecPair.publicKey) };
  ecJwksKey = jwksPair.privateKey;
  ecJwk = { ...(await exportJWK(jwksPair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
});

/** Default claims: valid at NOW for ten minutes. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  return { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: NOW_SEC, exp: NOW_SEC + 600, ...overrides };
}

function withoutClaim(name: string): JWTPayload {
  const all = claims();
  delete all[name];
  return all;
}

async function sign(payload: JWTPayload, alg: string, key: CryptoKey | Uint8Array, kid?: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(kid === undefined ? { alg } : { alg, kid }).sign(key);
}

const hs = (payload: JWTPayload = claims()): Promise<string> => sign(payload, 'HS256', new TextEncoder().encode(SECRET));

function hsAuth(extra: Partial<AuthOptions> = {}): Authenticator {
  return createAuthenticator({ jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE, now, ...extra });
}

async function expectAuthError(promise: Promise<unknown>, code: string, status = 401): Promise<AuthError> {
  const error = await promise.then(
    () => expect.fail(`expected ${code}, but the token was accepted`),
    (e: unknown) => e,
  );
  expect(isAuthError(error), String(error)).toBe(true);
  expect(error).toBeInstanceOf(MmoError);
  expect({ code: (error as AuthError).code, status: (error as AuthError).status }).toEqual({ code, status });
  return error as AuthError;
}

describe('createAuthenticator with a secret (HS256)', () => {
  it('accepts a valid token and returns its identity', async () => {
    const identity = await hsAuth().verify(await hs(claims({ role: 'gm' })));
    expect(identity.userId).toBe('user-1');
    expect(identity.expiresAtMs).toBe((NOW_SEC + 600) * 1000);
    expect(identity.claims).toMatchObject({ role: 'gm', iss: ISSUER });
  });

  it('refuses an empty token as TOKEN_MISSING', async () => {
    await expectAuthError(hsAuth().verify(''), 'TOKEN_MISSING');
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    ['two parts', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0'],
    ['bad JSON header', 'e30x.e30.c2ln'],
  ])('refuses a malformed token (%s) as TOKEN_MALFORMED', async (_label, token) => {
    await expectAuthError(hsAuth().verify(token), 'TOKEN_MALFORMED');
  });

  it('refuses a correctly signed payload that is not a JSON claims set as TOKEN_MALFORMED', async () => {
    const token = await new CompactSign(new TextEncoder().encode('nope')).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    await expectAuthError(hsAuth().verify(token), 'TOKEN_MALFORMED');
  });

  it('refuses a token longer than maxTokenBytes without parsing it', async () => {
    await expectAuthError(hsAuth({ maxTokenBytes: 64 }).verify(await hs()), 'TOKEN_MALFORMED');
  });

  it('refuses a token signed with another secret', async () => {
    const token = await sign(claims(), 'HS256', new TextEncoder().encode('another-secret-that-is-long-enough!!'));
    await expectAuthError(hsAuth().verify(token), 'TOKEN_INVALID_SIGNATURE');
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const [header, , signature] = (await hs()).split('.');
    const forged = `${header}.${base64url.encode(JSON.stringify(claims({ sub: 'admin' })))}.${signature}`;
    await expectAuthError(hsAuth().verify(forged), 'TOKEN_INVALID_SIGNATURE');
  });

  it('refuses an unsigned alg "none" token', async () => {
    const unsigned = `${base64url.encode('{"alg":"none","typ":"JWT"}')}.${base64url.encode(JSON.stringify(claims()))}.`;
    await expectAuthError(hsAuth().verify(unsigned), 'TOKEN_ALGORITHM_REFUSED');
  });

  it('refuses an RS256 token (algorithm not pinned)', async () => {
    await expectAuthError(hsAuth().verify(await sign(claims(), 'RS256', rsa.privateKey)), 'TOKEN_ALGORITHM_REFUSED');
  });

  it('refuses an expired token and one not valid yet', async () => {
    await expectAuthError(hsAuth().verify(await hs(claims({ exp: NOW_SEC - 60 }))), 'TOKEN_EXPIRED');
    await expectAuthError(hsAuth().verify(await hs(claims({ nbf: NOW_SEC + 60 }))), 'TOKEN_NOT_YET_VALID');
  });

  it('accepts exp and nbf within the clock tolerance, and refuses them with none', async () => {
    const skewed = await hs(claims({ exp: NOW_SEC - 3, nbf: NOW_SEC + 3 }));
    await expect(hsAuth().verify(skewed)).resolves.toMatchObject({ userId: 'user-1' });
    await expectAuthError(hsAuth({ clockToleranceSec: 0 }).verify(skewed), 'TOKEN_NOT_YET_VALID');
  });

  it.each([
    ['wrong issuer', claims({ iss: 'https://evil.example' })],
    ['wrong audience', claims({ aud: 'other-game' })],
    ['no issuer', withoutClaim('iss')],
    ['no exp', withoutClaim('exp')],
    ['no sub', withoutClaim('sub')],
    ['empty sub', claims({ sub: '' })],
    ['numeric sub', claims({ sub: 42 as unknown as string })],
  ])('refuses a token with %s as TOKEN_CLAIM_INVALID', async (_label, payload) => {
    await expectAuthError(hsAuth().verify(await hs(payload)), 'TOKEN_CLAIM_INVALID');
  });

  it('requires exp even with no issuer or audience configured', async () => {
    const auth = createAuthenticator({ jwtSecret: SECRET, now });
    await expectAuthError(auth.verify(await hs(withoutClaim('exp'))), 'TOKEN_CLAIM_INVALID');
  });

  it('accepts any of several audiences and enforces extra required claims', async () => {
    const auth = hsAuth({ audience: ['admin', AUDIENCE], requiredClaims: ['jti'] });
    await expectAuthError(auth.verify(await hs()), 'TOKEN_CLAIM_INVALID');
    await expect(auth.verify(await hs(claims({ jti: 'j1' })))).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('refuses every arbitrary string with a 401 AuthError, never a crash or a 503', async () => {
    const auth = hsAuth();
    const part = fc.string({ unit: fc.constantFrom(...'eyJhbGciOiJIUzI1NiJ9-_.=+/%{}":'.split('')), maxLength: 40 });
    const token = fc.oneof(fc.string({ minLength: 1 }), fc.tuple(part, part, part).map((p) => p.join('.')).filter((t) => t !== ''));
    await fc.assert(
      fc.asyncProperty(token, async (t) => {
        const error = await auth.verify(t).then(() => undefined, (e: unknown) => e);
        expect(isAuthError(error) && error.status === 401).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('createAuthenticator with a PEM public key', () => {
  it('accepts a valid RS256 token', async () => {
    const auth = createAuthenticator({ jwtPublicKey: rsa.publicPem, now });
    expect(auth.algorithms).toEqual(['RS256']);
    await expect(auth.verify(await sign(claims(), 'RS256', rsa.privateKey))).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('accepts a valid ES256 token, inferring ES256 from the key', async () => {
    const auth = createAuthenticator({ jwtPublicKey: ec.publicPem, now });
    expect(auth.algorithms).toEqual(['ES256']);
    await expect(auth.verify(await sign(claims(), 'ES256', ec.privateKey))).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('refuses an HS256 token keyed with the public key PEM (key confusion)', async () => {
    const auth = createAuthenticator({ jwtPublicKey: rsa.publicPem, jwtAlgorithms: ['RS256'], now });
    const confused = await sign(claims(), 'HS256', new TextEncoder().encode(rsa.publicPem));
    await expectAuthError(auth.verify(confused), 'TOKEN_ALGORITHM_REFUSED');
  });

  it('refuses a token signed by another key and an unsigned one', async () => {
    const auth = createAuthenticator({ jwtPublicKey: ec.publicPem, now });
    const other = await generateKeyPair('ES256');
    await expectAuthError(auth.verify(await sign(claims(), 'ES256', other.privateKey)), 'TOKEN_INVALID_SIGNATURE');
    const unsigned = `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify(claims()))}.`;
    await expectAuthError(auth.verify(unsigned), 'TOKEN_ALGORITHM_REFUSED');
  });
});

describe('createAuthenticator with a JWKS URL', () => {
  const servers: Server[] = [];

  async function serve(listener: RequestListener): Promise<string> {
    const server = createServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  }

  function close(server: Server): Promise<void> {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  const jwksJson: RequestListener = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [ecJwk] }));
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  it('accepts a valid ES256 token whose kid is in the set', async () => {
    const auth = createAuthenticator({ jwksUrl: await serve(jwksJson), now });
    const identity = await auth.verify(await sign(claims(), 'ES256', ecJwksKey, 'k1'));
    expect(identity.userId).toBe('user-1');
  });

  it('refuses an unknown kid as KEY_NOT_FOUND', async () => {
    const auth = createAuthenticator({ jwksUrl: await serve(jwksJson), now });
    await expectAuthError(auth.verify(await sign(claims(), 'ES256', ecJwksKey, 'k2')), 'KEY_NOT_FOUND');
  });

  it('refuses an HS256 token (HMAC never pinned for a JWKS)', async () => {
    const auth = createAuthenticator({ jwksUrl: await serve(jwksJson), now });
    await expectAuthError(auth.verify(await hs()), 'TOKEN_ALGORITHM_REFUSED');
  });

  it('answers AUTH_UNAVAILABLE (503) when the JWKS server is down', async () => {
    const url = await serve(jwksJson);
    await close(servers.pop() as Server);
    const auth = createAuthenticator({ jwksUrl: url, now });
    await expectAuthError(auth.verify(await sign(claims(), 'ES256', ecJwksKey, 'k1')), 'AUTH_UNAVAILABLE', 503);
  });

  it('answers AUTH_UNAVAILABLE when the JWKS server fails or does not answer in time', async () => {
    const failing = createAuthenticator({ jwksUrl: await serve((_req, res) => res.writeHead(500).end()), now });
    const token = await sign(claims(), 'ES256', ecJwksKey, 'k1');
    await expectAuthError(failing.verify(token), 'AUTH_UNAVAILABLE', 503);
    const silent = createAuthenticator({ jwksUrl: await serve(() => undefined), jwksTimeoutMs: 50, now });
    await expectAuthError(silent.verify(token), 'AUTH_UNAVAILABLE', 503);
  });
});

describe('createAuthenticator configuration', () => {
  it.each<[string, AuthOptions]>([
    ['no key source', {}],
    ['two key sources', { jwtSecret: SECRET, jwksUrl: 'https://id.example/jwks' }],
    ['a short secret', { jwtSecret: 'short' }],
    ['a secret too short for HS512', { jwtSecret: SECRET, jwtAlgorithms: ['HS512'] }],
    ['alg none', { jwtSecret: SECRET, jwtAlgorithms: ['none'] }],
    ['no algorithm', { jwtSecret: SECRET, jwtAlgorithms: [] }],
    ['an RSA alg with a secret', { jwtSecret: SECRET, jwtAlgorithms: ['RS256'] }],
    ['an HMAC alg with a JWKS', { jwksUrl: 'https://id.example/jwks', jwtAlgorithms: ['HS256'] }],
    ['http JWKS on a remote host', { jwksUrl: 'http://id.example/jwks' }],
    ['a JWKS URL that is no URL', { jwksUrl: 'not a url' }],
    ['a PEM that is no key', { jwtPublicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }],
    ['a negative clock tolerance', { jwtSecret: SECRET, clockToleranceSec: -1 }],
  ])('refuses %s at construction with CONFIG_INVALID', (_label, options) => {
    expect(() => createAuthenticator(options)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('refuses an algorithm that does not fit the PEM key, and a private key', async () => {
    expect(() => createAuthenticator({ jwtPublicKey: rsa.publicPem, jwtAlgorithms: ['ES256'] })).toThrow(/jwtAlgorithms/);
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privatePem = await exportPKCS8(privateKey);
    expect(() => createAuthenticator({ jwtPublicKey: privatePem })).toThrow(/private key/);
  });

  it('names the setting in one line', () => {
    let error: unknown;
    try {
      createAuthenticator({ jwtSecret: 'short' });
    } catch (e) {
      error = e;
    }
    expect(isMmoError(error)).toBe(true);
    expect((error as Error).message).toBe('auth option jwtSecret: must be at least 32 bytes for HS256 (got 5)');
  });
});

describe('isAuthError', () => {
  it('recognises AuthError by name, also from another copy of the package', () => {
    expect(isAuthError(new AuthError('TOKEN_EXPIRED', 'x'))).toBe(true);
    const lookalike = Object.assign(new Error('x'), { name: 'AuthError', code: 'TOKEN_EXPIRED', status: 401 });
    expect(isAuthError(lookalike)).toBe(true);
    expect(isAuthError(new MmoError('TOKEN_EXPIRED', 'x'))).toBe(false);
    expect(isAuthError({ name: 'AuthError' })).toBe(false);
  });
});
